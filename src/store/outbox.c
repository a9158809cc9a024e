/* The outbox: all its SQL, no rules. */
#include "store_outbox.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each template's recipients and the values its text shows: rows of (email,
 * vars) for the resource id $1. A registrar is written to at its admin
 * contact (registrars.contacts, as validated). */
/* A voucher code as people read and type it: XXXX-XXXX-XXXX-XX
 * (voucher_code_format). */
#define WRITTEN_CODE                                                                               \
    "substr(v.code, 1, 4) || '-' || substr(v.code, 5, 4) || '-' || substr(v.code, 9, 4) || '-'"    \
    " || substr(v.code, 13, 2)"

static const char RCPT_APPLICATION_RECEIVED[] =
    "SELECT a.contact_email, jsonb_build_object('legal_name', a.document->>'legal_name',"
    " 'application_id', a.id) FROM accreditation_applications a WHERE a.id = $1::uuid";
static const char RCPT_APPLICATION_DECIDED[] =
    "SELECT a.contact_email, jsonb_build_object('legal_name', a.document->>'legal_name',"
    " 'application_id', a.id, 'decision', a.status, 'reason', coalesce(a.reason, ''))"
    " FROM accreditation_applications a WHERE a.id = $1::uuid";
static const char RCPT_ENROLLMENT_DECIDED[] =
    "SELECT (SELECT c->>'email' FROM jsonb_array_elements(r.contacts) c"
    " WHERE c->>'type' = 'admin' LIMIT 1), jsonb_build_object('trade_name', r.trade_name,"
    " 'program', e.program_code, 'decision', e.status, 'reason', coalesce(e.reason, ''))"
    " FROM enrollments e JOIN registrars r ON r.id = e.registrar_id WHERE e.id = $1::uuid";
static const char RCPT_VOUCHER_ISSUED[] =
    "SELECT v.beneficiary->>'email', jsonb_build_object('name', v.beneficiary->>'name',"
    " 'code', " WRITTEN_CODE ", 'program', v.program_code, 'expires_at',"
    " to_char(v.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')) FROM vouchers v WHERE v.code = $1";
static const char RCPT_VOUCHER_REDEEMED[] =
    "SELECT v.beneficiary->>'email', jsonb_build_object('name', v.beneficiary->>'name',"
    " 'code', " WRITTEN_CODE ", 'domain', coalesce(v.domain_unicode, v.domain), 'registrar',"
    " r.trade_name, 'registrar_website', coalesce(r.website, '')) FROM vouchers v"
    " JOIN registrars r ON r.id = v.registrar_id WHERE v.code = $1";
static const char RCPT_REGISTRATION[] =
    "SELECT (SELECT c->>'email' FROM jsonb_array_elements(r.contacts) c"
    " WHERE c->>'type' = 'admin' LIMIT 1), jsonb_build_object('trade_name', r.trade_name,"
    " 'event_title', e.title, 'starts_at',"
    " to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'), 'location',"
    " e.location, 'seats', g.seats) FROM registrations g JOIN events e ON e.id = g.event_id"
    " JOIN registrars r ON r.id = g.registrar_id WHERE g.id = $1::uuid";
static const char RCPT_DRAW_RESULTS[] =
    "SELECT (SELECT c->>'email' FROM jsonb_array_elements(r.contacts) c"
    " WHERE c->>'type' = 'admin' LIMIT 1), jsonb_build_object('trade_name', r.trade_name,"
    " 'draw_title', d.title, 'event_title', e.title, 'starts_at',"
    " to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'location', e.location)"
    " FROM draws d CROSS JOIN unnest(d.winners) w(id) JOIN registrars r ON r.id = w.id"
    " JOIN events e ON e.id = d.target_event_id WHERE d.id = $1::uuid";

/* community: contacts. The topic's mailbox, with what the requester wrote
 * and the address a reply goes to (the worker's Reply-To). */
static const char RCPT_CONTACT_REQUEST[] =
    "SELECT m.email, jsonb_build_object('topic', m.topic, 'mailbox', m.name->>'pt',"
    " 'request_id', q.id, 'name', q.name, 'email', q.email, 'subject', q.subject,"
    " 'message', q.message, 'registrar', coalesce(r.trade_name, ''), 'reply_to', q.email)"
    " FROM contact_requests q JOIN contact_mailboxes m ON m.topic = q.topic"
    " LEFT JOIN registrars r ON r.id = q.registrar_id WHERE q.id = $1::uuid";
/* community: newsletter. The confirmation's token comes with the change
 * (outbox_cause.vars); an issue goes to every confirmed subscriber, each
 * with the path that unsubscribes that address (List-Unsubscribe, mail.h). */
static const char RCPT_NEWSLETTER_CONFIRM[] =
    "SELECT s.email, jsonb_build_object('email', s.email) FROM newsletter_subscriptions s"
    " WHERE s.id = $1::uuid";
static const char RCPT_NEWSLETTER_ISSUE[] =
    "SELECT s.email, jsonb_build_object('number', i.number, 'title', i.title, 'url', i.url,"
    " 'list_unsubscribe', '/v1/newsletter/unsubscribe?token=' || s.unsubscribe_token)"
    " FROM newsletter_issues i CROSS JOIN newsletter_subscriptions s"
    " WHERE i.id = $1::uuid AND s.status = 'confirmed'";
/* trust: incidents. The reporting registrar's security contact (its admin
 * when it has none); an incident reported for no registrar has nobody. */
static const char RCPT_INCIDENT_ACKNOWLEDGED[] =
    "SELECT coalesce((SELECT c->>'email' FROM jsonb_array_elements(r.contacts) c"
    " WHERE c->>'type' = 'security' LIMIT 1), (SELECT c->>'email' FROM"
    " jsonb_array_elements(r.contacts) c WHERE c->>'type' = 'admin' LIMIT 1)),"
    " jsonb_build_object('trade_name', r.trade_name, 'title', i.title, 'severity', i.severity,"
    " 'tlp', i.tlp, 'incident_id', i.id) FROM incidents i"
    " JOIN registrars r ON r.id = i.registrar_id WHERE i.id = $1::uuid";
/* trust: PTSOC security contacts. The verification's contact; its token
 * comes with the change (outbox_cause.vars); "reminder" is non-empty once
 * the day-7 reminder was sent. */
static const char RCPT_SECURITY_CONTACT_CHECK[] =
    "SELECT v.email, jsonb_build_object('trade_name', r.trade_name, 'type', v.type,"
    " 'reminder', CASE WHEN v.reminded_at IS NULL THEN '' ELSE 'yes' END)"
    " FROM security_contact_verifications v JOIN registrars r ON r.id = v.registrar_id"
    " WHERE v.id = $1::uuid";

static const struct {
    const char *name;
    const char *sql;
} recipients[] = {
    {"application-received", RCPT_APPLICATION_RECEIVED},
    {"application-decided", RCPT_APPLICATION_DECIDED},
    {"enrollment-decided", RCPT_ENROLLMENT_DECIDED},
    {"voucher-issued", RCPT_VOUCHER_ISSUED},
    {"voucher-redeemed", RCPT_VOUCHER_REDEEMED},
    {"registration-confirmed", RCPT_REGISTRATION},
    {"registration-promoted", RCPT_REGISTRATION},
    {"draw-results", RCPT_DRAW_RESULTS},
    /* community: contacts */
    {"contact-request", RCPT_CONTACT_REQUEST},
    /* community: newsletter */
    {"newsletter-confirm", RCPT_NEWSLETTER_CONFIRM},
    {"newsletter-issue", RCPT_NEWSLETTER_ISSUE},
    /* trust: incidents */
    {"incident-acknowledged", RCPT_INCIDENT_ACKNOWLEDGED},
    /* trust: PTSOC security contacts */
    {"security-contact-check", RCPT_SECURITY_CONTACT_CHECK},
};

enum status store_outbox_mail(PGconn *conn, const struct outbox_cause *c, const char *template_name)
{
    const char *sql = NULL;
    for (size_t i = 0; i < sizeof recipients / sizeof *recipients; i++)
        if (strcmp(recipients[i].name, template_name) == 0)
            sql = recipients[i].sql;
    if (sql == NULL)
        return ST_INVALID;
    char *insert = xasprintf(
        "INSERT INTO outbox (event_id, event, channel, recipient, resource_type, resource_id,"
        " registrar_id, payload) SELECT $2::uuid, $3, 'email', x.email, $4, $1, $5::uuid,"
        " jsonb_build_object('template', $6::text, 'lang', 'pt', 'vars',"
        " x.vars || coalesce($7::jsonb, '{}'::jsonb))"
        " FROM (%s) AS x(email, vars) WHERE x.email IS NOT NULL"
        " ON CONFLICT (event_id, channel, recipient) DO NOTHING",
        sql);
    char *vars = c->vars ? json_dumps(c->vars, JSON_COMPACT) : NULL;
    const char *p[] = {c->resource_id,  c->event_id,   c->event, c->resource_type,
                       c->registrar_id, template_name, vars};
    enum status st = db_exec_later(conn, insert, 7, p);
    if (vars != NULL)
        sodium_memzero(vars, strlen(vars)); /* it may hold a one-time token */
    free(vars);
    free(insert);
    return st;
}

static const char SQL_WITHDRAW[] =
    "UPDATE outbox SET status = 'failed', last_error = $3 WHERE channel = 'email' AND event = $1"
    " AND lower(recipient) = lower($2) AND status = 'pending'"
    " AND (lease_until IS NULL OR lease_until < now())";

enum status store_outbox_withdraw(PGconn *conn, const char *event, const char *recipient,
                                  const char *reason)
{
    const char *p[] = {event, recipient, reason};
    return db_exec(conn, SQL_WITHDRAW, 3, p, NULL);
}

#define OUTBOX_TIMES                                                                               \
    SQL_TS("created_at") ", " SQL_TS("updated_at") ", coalesce(" SQL_TS("sent_at") ", '')"
#define OUTBOX_COLUMNS                                                                             \
    "id, message_id::text, event_id::text, event, channel, recipient, resource_type,"              \
    " resource_id, coalesce(registrar_id::text, ''), payload::text, status, attempts, " SQL_TS(    \
        "next_attempt_at") ", last_error, " OUTBOX_TIMES

static const char SQL_CLAIM[] =
    "UPDATE outbox SET lease_until = now() + make_interval(secs => $2::int),"
    " attempts = attempts + 1 WHERE id = (SELECT id FROM outbox WHERE status = 'pending'"
    " AND channel = $1 AND next_attempt_at <= now()"
    " AND (lease_until IS NULL OR lease_until < now())"
    " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " OUTBOX_COLUMNS;
static const char SQL_SENT[] =
    "WITH m AS (UPDATE outbox SET status = 'sent', sent_at = now(), lease_until = NULL,"
    " last_error = NULL WHERE id = $1::bigint RETURNING id)"
    " INSERT INTO outbox_attempts (outbox_id, outcome, worker) SELECT id, 'sent', $2 FROM m";
static const char SQL_RETRY[] =
    "WITH m AS (UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $2::int),"
    " lease_until = NULL, last_error = $3 WHERE id = $1::bigint RETURNING id)"
    " INSERT INTO outbox_attempts (outbox_id, outcome, error, worker)"
    " SELECT id, 'retry', $3, $4 FROM m";
static const char SQL_FAILED[] =
    "WITH m AS (UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = $2"
    " WHERE id = $1::bigint RETURNING id)"
    " INSERT INTO outbox_attempts (outbox_id, outcome, error, worker)"
    " SELECT id, 'failed', $2, $3 FROM m";
static const char SQL_STATS[] =
    "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent'),"
    " count(*) FILTER (WHERE status = 'failed'), coalesce(extract(epoch FROM now() -"
    " min(created_at) FILTER (WHERE status = 'pending')), 0) FROM outbox";

const struct page_sort store_outbox_sorts[STORE_OUTBOX_SORTS] = {
    {"created_at", "outbox.created_at", "::timestamptz", SQL_TS_US("outbox.created_at")},
};

void store_outbox_row_cleanup(void *row)
{
    struct outbox_row *r = row;
    free(r->recipient);
    json_decref(r->payload);
    free(r->last_error);
    r->recipient = r->last_error = NULL;
    r->payload = NULL;
}

static void read_row(const PGresult *res, int i, void *out)
{
    struct outbox_row *r = out;
    store_outbox_row_cleanup(r);
    memset(r, 0, sizeof *r);
    r->id = atoll(PQgetvalue(res, i, 0));
    STORE_COPY(r->message_id, res, i, 1);
    STORE_COPY(r->event_id, res, i, 2);
    STORE_COPY(r->event, res, i, 3);
    STORE_COPY(r->channel, res, i, 4);
    r->recipient = xstrdup(PQgetvalue(res, i, 5));
    STORE_COPY(r->resource_type, res, i, 6);
    STORE_COPY(r->resource_id, res, i, 7);
    STORE_COPY(r->registrar_id, res, i, 8);
    r->payload = json_loads(PQgetvalue(res, i, 9), 0, NULL);
    STORE_COPY(r->status, res, i, 10);
    r->attempts = atoi(PQgetvalue(res, i, 11));
    STORE_COPY(r->next_attempt_at, res, i, 12);
    r->last_error = store_rows_text(res, i, 13);
    STORE_COPY(r->created_at, res, i, 14);
    STORE_COPY(r->updated_at, res, i, 15);
    STORE_COPY(r->sent_at, res, i, 16);
}

enum status store_outbox_claim(PGconn *conn, const char *channel, int lease_s,
                               struct outbox_row *out)
{
    char lease[12];
    snprintf(lease, sizeof lease, "%d", lease_s);
    const char *p[] = {channel, lease};
    return store_rows_one(conn, SQL_CLAIM, 2, p, read_row, out);
}

enum status store_outbox_sent(PGconn *conn, long long id, const char *worker)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", id);
    const char *p[] = {n, worker};
    return db_exec(conn, SQL_SENT, 2, p, NULL);
}

enum status store_outbox_retry(PGconn *conn, long long id, int retry_s, const char *error,
                               const char *worker)
{
    char n[24], s[12];
    snprintf(n, sizeof n, "%lld", id);
    snprintf(s, sizeof s, "%d", retry_s);
    const char *p[] = {n, s, error, worker};
    return db_exec(conn, SQL_RETRY, 4, p, NULL);
}

enum status store_outbox_failed(PGconn *conn, long long id, const char *error, const char *worker)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", id);
    const char *p[] = {n, error, worker};
    return db_exec(conn, SQL_FAILED, 3, p, NULL);
}

static void read_stats(const PGresult *res, int i, void *out)
{
    struct outbox_stats *s = out;
    s->pending = atoll(PQgetvalue(res, i, 0));
    s->sent = atoll(PQgetvalue(res, i, 1));
    s->failed = atoll(PQgetvalue(res, i, 2));
    s->oldest_pending_s = atof(PQgetvalue(res, i, 3));
}

enum status store_outbox_stats(PGconn *conn, struct outbox_stats *out)
{
    memset(out, 0, sizeof *out);
    return store_rows_one(conn, SQL_STATS, 0, NULL, read_stats, out);
}

enum status store_outbox_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " OUTBOX_COLUMNS ", %s AS cursor_value,"
                             " outbox.id::text AS cursor_id FROM outbox",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? channel)"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? event)"
                 " AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)",
        .id_expr = "outbox.id",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_OUTBOX_STATUS], q->filters[STORE_OUTBOX_CHANNEL],
                   q->filters[STORE_OUTBOX_EVENT], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct outbox_row), out);
    free(select);
    return st;
}

/* An email's values (names, codes, one-time links) are needed until it is
 * delivered or has failed for good; a week later they go, and the row keeps
 * what it was (template, event, recipient, attempts). */
static const char SQL_SCRUB[] =
    "UPDATE outbox SET payload = (payload - 'vars') || jsonb_build_object('scrubbed_at',"
    " " SQL_TS("$1::timestamptz") ") WHERE channel = 'email' AND status IN ('sent', 'failed')"
                                  " AND payload ? 'vars' AND updated_at < $1::timestamptz - "
                                  "interval '7 days'";

enum status store_outbox_scrub(PGconn *conn, const char *at, long long *count)
{
    PGresult *res = NULL;
    const char *p[] = {at};
    enum status st = db_exec(conn, SQL_SCRUB, 1, p, &res);
    *count = st == ST_OK ? atoll(PQcmdTuples(res)) : 0;
    PQclear(res);
    return st;
}
