/* Where the registry holds personal data, and its retention rules
 * (store_personal_data.h). Each location's SQL takes the email as $1 and
 * compares it case-insensitively; jsonb documents are searched and erased
 * with the functions of migration 0021 (personal_has, personal_objects,
 * personal_erase: the objects holding the email lose their email, names and
 * phones). Each location's keep rule is one macro, shared by its find and
 * its erase, so the report and the erasure never disagree. */
#include "store_personal_data.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

#define SAME(col) "lower(" col ") = lower($1)"
#define ERASED(col) "CASE WHEN " SAME(col) " THEN personal_erased_email(" col ") ELSE " col " END"

/* accreditation_applications: the application that made a registrar stays
 * while that registrar is accredited. */
#define APP_MATCH "(" SAME("a.contact_email") " OR personal_has(a.document, $1))"
#define APP_KEEP                                                                                   \
    "(a.status = 'approved' AND EXISTS (SELECT 1 FROM registrars r WHERE r.id = a.registrar_id"    \
    " AND r.status <> 'terminated'))"
/* registrars: contacts stay while the registrar is accredited. */
#define REG_KEEP "(g.status <> 'terminated')"
/* Registrars whose contacts hold the email: their own items name no one. */
#define OF_REGISTRAR(col) col " IN (SELECT id FROM registrars WHERE personal_has(contacts, $1))"
#define AUTHORED "'an item its registrar published or submitted: it holds no value of the person'"

const struct personal_location store_personal_locations[] = {
    {"accreditation_applications", "contact_email,document",
     "an application's admin contact and the people its document names",
     "SELECT a.id::text, jsonb_build_object('status', a.status, 'contact_email', CASE WHEN " SAME(
         "a.contact_email") " THEN a.contact_email END, 'document', personal_objects(a.document, "
                            "$1)), CASE WHEN " APP_KEEP
                            " THEN 'the application that accredited a registrar still accredited: "
                            "the record of its"
                            " accreditation' END FROM accreditation_applications a "
                            "WHERE " APP_MATCH,
     "UPDATE accreditation_applications a SET contact_email = " ERASED(
         "a.contact_email") ", document = personal_erase(a.document, $1)"
                            " WHERE " APP_MATCH " AND NOT " APP_KEEP " RETURNING a.id::text"},
    {"registrars", "contacts", "a registrar's contact person (name, email, phone)",
     "SELECT g.id::text, jsonb_build_object('registrar', g.trade_name, 'contacts',"
     " personal_objects(g.contacts, $1)), CASE WHEN " REG_KEEP
     " THEN 'a contact of a registrar not terminated: the registry''s channel to it under its"
     " accreditation; the registrar replaces it (PATCH /v1/registrars/{id})' END"
     " FROM registrars g WHERE personal_has(g.contacts, $1)",
     "UPDATE registrars g SET contacts = personal_erase(g.contacts, $1)"
     " WHERE personal_has(g.contacts, $1) AND NOT " REG_KEEP " RETURNING g.id::text"},
    {"registrations", "attendees", "an event attendee (name, email)",
     "SELECT r.id::text, jsonb_build_object('event', e.title, 'starts_at', e.starts_at,"
     " 'attendees', personal_objects(r.attendees, $1)), NULL::text"
     " FROM registrations r JOIN events e ON e.id = r.event_id WHERE personal_has(r.attendees, $1)",
     "UPDATE registrations SET attendees = personal_erase(attendees, $1)"
     " WHERE personal_has(attendees, $1) RETURNING id::text"},
    {"sitestar_entries", "teacher", "a Sitestar entry's teacher (name, email)",
     "SELECT id::text, jsonb_build_object('year', year, 'title', title, 'teacher', teacher),"
     " NULL::text FROM sitestar_entries WHERE personal_has(teacher, $1)",
     "UPDATE sitestar_entries SET teacher = personal_erase(teacher, $1)"
     " WHERE personal_has(teacher, $1) RETURNING id::text"},
    {"vouchers", "beneficiary", "a voucher's beneficiary (name, NIF, email)",
     "SELECT code, jsonb_build_object('program', program_code, 'beneficiary', beneficiary),"
     " NULL::text FROM vouchers WHERE personal_has(beneficiary, $1)",
     "UPDATE vouchers SET beneficiary = personal_erase(beneficiary, $1)"
     " WHERE personal_has(beneficiary, $1) RETURNING code"},
    {"enrollments", "application", "the people a programme application names",
     "SELECT id::text, jsonb_build_object('program', program_code, 'application',"
     " personal_objects(application, $1)), NULL::text FROM enrollments"
     " WHERE personal_has(application, $1)",
     "UPDATE enrollments SET application = personal_erase(application, $1)"
     " WHERE personal_has(application, $1) RETURNING id::text"},
    {"newsletter_subscriptions", "email", "a newsletter subscriber",
     "SELECT id::text, jsonb_build_object('email', email, 'status', status, 'created_at',"
     " created_at, 'confirmed_at', confirmed_at, 'unsubscribed_at', unsubscribed_at), NULL::text"
     " FROM newsletter_subscriptions WHERE " SAME("email"),
     "UPDATE newsletter_subscriptions SET email = personal_erased_email(email),"
     " status = 'unsubscribed', unsubscribed_at = coalesce(unsubscribed_at, now())"
     " WHERE " SAME("email") " RETURNING id::text"},
    {"newsletter_consents", "consent_text_version,source",
     "a subscriber's consent history (what was consented to, when, from where as a keyed hash)",
     "SELECT c.id::text, jsonb_build_object('event', c.event, 'consent_text_version',"
     " c.consent_text_version, 'source', c.source, 'at', c.at),"
     " 'the proof of consent (RGPD art. 7(1)): it holds no email, only the subscription and a"
     " keyed hash of the address' FROM newsletter_consents c JOIN newsletter_subscriptions s"
     " ON s.id = c.subscription_id WHERE " SAME("s.email"),
     NULL},
    {"contact_requests", "name,email,subject,message,note", "a contact request's sender and words",
     "SELECT id::text, jsonb_build_object('topic', topic, 'name', name, 'email', email,"
     " 'subject', subject, 'message', message, 'note', note, 'created_at', created_at),"
     " NULL::text FROM contact_requests WHERE " SAME("email"),
     "UPDATE contact_requests SET name = '[apagado]', email = personal_erased_email(email),"
     " subject = '[apagado]', message = '[apagado]', note = NULL"
     " WHERE " SAME("email") " RETURNING id::text"},
    {"outbox", "recipient,payload,last_error", "an email to the person, and what it showed",
     "SELECT id::text, jsonb_build_object('event', event, 'channel', channel, 'recipient',"
     " CASE WHEN " SAME(
         "recipient") " THEN recipient END, 'values', personal_objects(payload,"
                      " $1), 'status', status, 'created_at', created_at), NULL::text"
                      " FROM outbox WHERE " SAME(
                          "recipient") " OR personal_has(payload, $1)"
                                       " OR strpos(lower(last_error), lower($1)) > 0",
     "UPDATE outbox SET recipient = " ERASED(
         "recipient") ", payload = personal_erase(payload, $1),"
                      " last_error = CASE WHEN status = 'pending' THEN 'erased at the person''s"
                      " request' WHEN strpos(lower(last_error), lower($1)) > 0 THEN '[apagado]'"
                      " ELSE last_error END,"
                      " status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END"
                      " WHERE " SAME("recipient") " OR personal_has(payload, $1)"
                                                  " OR strpos(lower(last_error), lower($1)) > 0"
                                                  " RETURNING id::text"},
    {"outbox_attempts", "error", "a delivery error that quoted the address",
     "SELECT id::text, jsonb_build_object('error', error, 'at', at), NULL::text"
     " FROM outbox_attempts WHERE strpos(lower(error), lower($1)) > 0",
     "UPDATE outbox_attempts SET error = personal_erase_text(error, $1)"
     " WHERE strpos(lower(error), lower($1)) > 0"
     " RETURNING id::text"},
    {"news_items", "registrar_id", "news items by a registrar the person is a contact of",
     "SELECT id::text, jsonb_build_object('title', title, 'status', status), " AUTHORED
     " FROM news_items WHERE " OF_REGISTRAR("registrar_id"),
     NULL},
    {"siga_proposals", "author_registrar_id",
     "SIGA proposals by a registrar the person is a contact of",
     "SELECT id::text, jsonb_build_object('title', title, 'status', status), " AUTHORED
     " FROM siga_proposals WHERE " OF_REGISTRAR("author_registrar_id"),
     NULL},
    {"newsletter_suggestions", "registrar_id",
     "newsletter suggestions by a registrar the person is a contact of",
     "SELECT id::text, jsonb_build_object('title', title, 'status', status), " AUTHORED
     " FROM newsletter_suggestions WHERE " OF_REGISTRAR("registrar_id"),
     NULL},
    {"data_requests", "email", "the person's own data-subject requests",
     "SELECT id::text, jsonb_build_object('kind', kind, 'email', email, 'received_at',"
     " received_at, 'status', status), NULL::text FROM data_requests WHERE " SAME("email"),
     "UPDATE data_requests SET email = personal_erased_email(email) WHERE " SAME(
         "email") " RETURNING id::text"},
    /* trust: PTSOC checks, incidents, the council */
    {"security_contact_verifications", "email", "a PTSOC check of a security or abuse contact",
     "SELECT v.id::text, jsonb_build_object('type', v.type, 'email', v.email, 'status', v.status,"
     " 'sent_at', v.sent_at, 'verified_at', v.verified_at), CASE WHEN g.status <> 'terminated'"
     " THEN 'the check of a contact of a registrar not terminated: kept with that contact' END"
     " FROM security_contact_verifications v JOIN registrars g ON g.id = v.registrar_id"
     " WHERE " SAME("v.email"),
     "UPDATE security_contact_verifications v SET email = personal_erased_email(v.email)"
     " FROM registrars g WHERE g.id = v.registrar_id AND g.status = 'terminated' AND " SAME(
         "v.email") " RETURNING v.id::text"},
    {"incidents", "title,description", "an incident report whose text quotes the address",
     "SELECT id::text, jsonb_build_object('title', title, 'description', description, 'tlp', tlp, "
     "'status', status), NULL::text"
     " FROM incidents WHERE strpos(lower(title || ' ' || description), lower($1)) > 0",
     "UPDATE incidents SET title = personal_erase_text(title, $1), description ="
     " personal_erase_text(description, $1) WHERE strpos(lower(title || ' ' || description),"
     " lower($1)) > 0 RETURNING id::text"},
    {"incident_updates", "body", "an incident update whose text quotes the address",
     "SELECT id::text, jsonb_build_object('incident_id', incident_id, 'body', body, 'created_at', "
     "created_at),"
     " NULL::text FROM incident_updates WHERE strpos(lower(body), lower($1)) > 0",
     "UPDATE incident_updates SET body = personal_erase_text(body, $1)"
     " WHERE strpos(lower(body), lower($1)) > 0 RETURNING id::text"},
    {"council_nominations", "nominee_name,statement",
     "a council nominee whose statement quotes the address",
     "SELECT id::text, jsonb_build_object('term_id', term_id, 'nominee_name', nominee_name,"
     " 'statement', statement, 'status', status), CASE WHEN status = 'accepted' THEN 'an accepted"
     " nomination is part of a published election''s record' END FROM council_nominations"
     " WHERE strpos(lower(statement), lower($1)) > 0",
     "UPDATE council_nominations SET nominee_name = '[apagado]', statement ="
     " personal_erase_text(statement, $1) WHERE strpos(lower(statement), lower($1)) > 0"
     " AND status <> 'accepted' RETURNING id::text"},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct personal_not store_personal_not[] = {
    {"service_keys", "name", "a key's name"},
    {"api_clients", "name", "a credential's label"},
    {"registrars", "legal_name", "a company's name (registrars are companies)"},
    {"registrars", "trade_name", "a company's name (registrars are companies)"},
    {"programs", "name", "a programme's name"},
    {"contact_mailboxes", "name", ".PT's own mailbox"},
    {"contact_mailboxes", "email", ".PT's own mailbox"},
    {"schema_migrations", "name", "a migration's file name"},
    {"data_requests", "email_hash", "a keyed hash of the email, as the audit log holds"},
    {NULL, NULL, NULL},
};

void store_personal_data_print(FILE *out)
{
    for (const struct personal_location *l = store_personal_locations; l->table; l++) {
        char *cols = xstrdup(l->columns), *save = NULL;
        for (char *c = strtok_r(cols, ",", &save); c; c = strtok_r(NULL, ",", &save))
            fprintf(out, "personal\t%s\t%s\t%s\n", l->table, c, l->what);
        free(cols);
    }
    for (const struct personal_not *n = store_personal_not; n->table; n++)
        fprintf(out, "not-personal\t%s\t%s\t%s\n", n->table, n->column, n->why);
}

enum status store_personal_data_export(PGconn *conn, const char *email, json_t **out)
{
    json_t *all = json_array();
    enum status st = ST_OK;
    for (const struct personal_location *l = store_personal_locations; st == ST_OK && l->table;
         l++) {
        PGresult *res = NULL;
        const char *p[] = {email};
        st = db_exec(conn, l->find, 1, p, &res);
        if (st != ST_OK)
            break;
        json_t *rows = json_array();
        for (int i = 0; i < PQntuples(res); i++)
            json_array_append_new(rows,
                                  json_pack("{s:s, s:o*}", "id", PQgetvalue(res, i, 0), "values",
                                            json_loads(PQgetvalue(res, i, 1), 0, NULL)));
        PQclear(res);
        json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:o}", "table", l->table, "columns",
                                             l->columns, "what", l->what, "rows", rows));
    }
    if (st == ST_OK)
        *out = all;
    else
        json_decref(all);
    return st;
}

/* The kept rows of one location into kept; whether any found row is erasable. */
static enum status keep_list(PGconn *conn, const struct personal_location *l, const char *email,
                             json_t *kept, bool *erasable)
{
    PGresult *res = NULL;
    const char *p[] = {email};
    enum status st = db_exec(conn, l->find, 1, p, &res);
    *erasable = false;
    for (int i = 0; st == ST_OK && i < PQntuples(res); i++) {
        if (PQgetisnull(res, i, 2))
            *erasable = true;
        else
            json_array_append_new(kept, json_pack("{s:s, s:s, s:s, s:s}", "table", l->table, "what",
                                                  l->what, "id", PQgetvalue(res, i, 0), "why",
                                                  PQgetvalue(res, i, 2)));
    }
    PQclear(res);
    return st;
}

/* Every location is looked at before any is erased: a location found
 * through another (consents through their subscription, items through their
 * registrar's contacts) must be reported before that one is erased. */
enum status store_personal_data_erase(PGconn *conn, const char *email, json_t **report)
{
    json_t *erased = json_array(), *kept = json_array();
    enum status st = ST_OK;
    size_t n = 0;
    while (store_personal_locations[n].table)
        n++;
    bool *erasable = xmalloc(n ? n : 1);
    for (size_t i = 0; st == ST_OK && i < n; i++)
        st = keep_list(conn, &store_personal_locations[i], email, kept, &erasable[i]);
    for (size_t i = 0; st == ST_OK && i < n; i++) {
        const struct personal_location *l = &store_personal_locations[i];
        if (!erasable[i] || l->erase == NULL)
            continue;
        PGresult *res = NULL;
        const char *p[] = {email};
        st = db_exec(conn, l->erase, 1, p, &res);
        if (st != ST_OK)
            break;
        json_t *ids = json_array();
        for (int r = 0; r < PQntuples(res); r++)
            json_array_append_new(ids, json_string(PQgetvalue(res, r, 0)));
        PQclear(res);
        json_array_append_new(
            erased, json_pack("{s:s, s:s, s:o}", "table", l->table, "what", l->what, "ids", ids));
    }
    free(erasable);
    if (st == ST_OK)
        *report = json_pack("{s:o, s:o}", "erased", erased, "kept", kept);
    else {
        json_decref(erased);
        json_decref(kept);
    }
    return st;
}

/* --- retention ----------------------------------------------------------- */

#define TEACHER_DUE                                                                                \
    " FROM sitestar_entries s JOIN sitestar_editions d ON d.year = s.year"                         \
    " WHERE coalesce(d.selected_at, d.submissions_close_at) + interval '24 months' <= "            \
    "$1::timestamptz AND s.teacher->>'email' !~ '^erased-[0-9a-f]{16}@invalid$'"
#define ATTENDEE_DUE                                                                               \
    " FROM registrations r JOIN events e ON e.id = r.event_id"                                     \
    " WHERE e.ends_at + interval '12 months' <= $1::timestamptz AND EXISTS (SELECT 1"              \
    " FROM jsonb_array_elements(r.attendees) a WHERE a->>'email' !~ "                              \
    "'^erased-[0-9a-f]{16}@invalid$')"
#define APPLICATION_DUE                                                                            \
    " FROM accreditation_applications a WHERE a.status IN ('rejected', 'withdrawn')"               \
    " AND a.status_changed_at + interval '12 months' <= $1::timestamptz"                           \
    " AND a.contact_email !~ '^erased-[0-9a-f]{16}@invalid$'"

const struct retention_rule store_retention_rules[] = {
    {"sitestar_entries", "teachers, 24 months after the edition was decided",
     "SELECT count(*)" TEACHER_DUE,
     "UPDATE sitestar_entries SET teacher = personal_erase(teacher, NULL)"
     " WHERE id IN (SELECT s.id" TEACHER_DUE ") RETURNING id::text"},
    {"registrations", "attendees, 12 months after the event", "SELECT count(*)" ATTENDEE_DUE,
     "UPDATE registrations SET attendees = personal_erase(attendees, NULL)"
     " WHERE id IN (SELECT r.id" ATTENDEE_DUE ") RETURNING id::text"},
    {"accreditation_applications", "rejected or withdrawn applications, 12 months after",
     "SELECT count(*)" APPLICATION_DUE,
     "UPDATE accreditation_applications SET contact_email = personal_erased_email(contact_email),"
     " document = personal_erase(document, NULL)"
     " WHERE id IN (SELECT a.id" APPLICATION_DUE ") RETURNING id::text"},
    {NULL, NULL, NULL, NULL},
};

enum status store_retention_run(PGconn *conn, const char *at, bool apply,
                                store_retention_report report, void *arg)
{
    enum status st = ST_OK;
    for (const struct retention_rule *r = store_retention_rules; st == ST_OK && r->table; r++) {
        PGresult *res = NULL;
        const char *p[] = {at};
        st = db_exec(conn, apply ? r->apply : r->count, 1, p, &res);
        if (st != ST_OK)
            break;
        long long n = apply ? PQntuples(res) : atoll(PQgetvalue(res, 0, 0));
        PQclear(res);
        if (report)
            report(r, n, arg);
    }
    return st;
}
