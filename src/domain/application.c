/* The accreditation application's state machine (tabled in application.h) as
 * data for the machine engine, and the cross-field rules of an application
 * document. Pure. */
#include "application.h"

#include "machine.h"
#include "role.h"
#include "util.h"
#include "validate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define OPEN                                                                                       \
    (MACHINE_BIT(APPLICATION_SUBMITTED) | MACHINE_BIT(APPLICATION_UNDER_REVIEW) |                  \
     MACHINE_BIT(APPLICATION_CHANGES_REQUESTED))

static const char *const states[APPLICATION_STATUS_COUNT] = {
    [APPLICATION_SUBMITTED] = "submitted",
    [APPLICATION_UNDER_REVIEW] = "under_review",
    [APPLICATION_CHANGES_REQUESTED] = "changes_requested",
    [APPLICATION_APPROVED] = "approved",
    [APPLICATION_REJECTED] = "rejected",
    [APPLICATION_WITHDRAWN] = "withdrawn",
};

static const struct machine_action actions[APPLICATION_ACTION_COUNT] = {
    [APPLICATION_ACT_START_REVIEW] = {"start-review", STAFF, MACHINE_BIT(APPLICATION_SUBMITTED),
                                      APPLICATION_UNDER_REVIEW, false, 0},
    [APPLICATION_ACT_REQUEST_CHANGES] = {"request-changes", STAFF,
                                         MACHINE_BIT(APPLICATION_SUBMITTED) |
                                             MACHINE_BIT(APPLICATION_UNDER_REVIEW),
                                         APPLICATION_CHANGES_REQUESTED, true, 0},
    [APPLICATION_ACT_RESUBMIT] = {"resubmit", ROLE_APPLICANT,
                                  MACHINE_BIT(APPLICATION_CHANGES_REQUESTED), APPLICATION_SUBMITTED,
                                  false, APPLICATION_EFFECT_RESTAMP},
    [APPLICATION_ACT_APPROVE] = {"approve", STAFF, MACHINE_BIT(APPLICATION_UNDER_REVIEW),
                                 APPLICATION_APPROVED, false,
                                 APPLICATION_EFFECT_CREATE_REGISTRAR |
                                     APPLICATION_EFFECT_EXTEND_KEY},
    [APPLICATION_ACT_REJECT] = {"reject", STAFF, OPEN, APPLICATION_REJECTED, true,
                                APPLICATION_EFFECT_REVOKE_KEY},
    [APPLICATION_ACT_WITHDRAW] = {"withdraw", ROLE_APPLICANT, OPEN, APPLICATION_WITHDRAWN, false,
                                  APPLICATION_EFFECT_REVOKE_KEY},
    [APPLICATION_ACT_EDIT] = {"edit", STAFF | ROLE_APPLICANT,
                              MACHINE_BIT(APPLICATION_SUBMITTED) |
                                  MACHINE_BIT(APPLICATION_CHANGES_REQUESTED),
                              MACHINE_SAME, false, 0},
    [APPLICATION_ACT_COLLECT_CREDENTIALS] = {"collect-credentials", ROLE_APPLICANT,
                                             MACHINE_BIT(APPLICATION_APPROVED), MACHINE_SAME, false,
                                             APPLICATION_EFFECT_ISSUE_CLIENT |
                                                 APPLICATION_EFFECT_CLOSE_KEY},
};

const struct machine application_machine = {states, APPLICATION_STATUS_COUNT, actions,
                                            APPLICATION_ACTION_COUNT};

void application_cleanup(struct application *a)
{
    char **strings[] = {&a->legal_name,
                        &a->trade_name,
                        &a->nif,
                        &a->vat_number,
                        &a->country,
                        &a->address.street,
                        &a->address.postal_code,
                        &a->address.city,
                        &a->address.country,
                        &a->website,
                        &a->accepted_terms_version};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(*strings[i]);
    for (size_t i = 0; i < a->ncontacts; i++) {
        free(a->contacts[i].type);
        free(a->contacts[i].name);
        free(a->contacts[i].email);
        free(a->contacts[i].phone);
    }
    for (size_t i = 0; i < a->nprograms; i++)
        free(a->requested_programs[i]);
    memset(a, 0, sizeof *a);
}

void application_row_cleanup(struct application_row *row)
{
    application_cleanup(&row->doc);
    free(row->reason);
    row->reason = NULL;
}

/* A new copy of obj's string member, or NULL. */
static char *dup_member(const json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s != NULL ? xstrdup(s) : NULL;
}

void application_from_json(const json_t *doc, struct application *out)
{
    memset(out, 0, sizeof *out);
    out->legal_name = dup_member(doc, "legal_name");
    out->trade_name = dup_member(doc, "trade_name");
    out->nif = dup_member(doc, "nif");
    out->vat_number = dup_member(doc, "vat_number");
    out->country = dup_member(doc, "country");
    const json_t *address = json_object_get(doc, "address");
    out->address = (struct application_address){
        dup_member(address, "street"), dup_member(address, "postal_code"),
        dup_member(address, "city"), dup_member(address, "country")};
    out->website = dup_member(doc, "website");
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(doc, "contacts"), i, v)
    {
        if (out->ncontacts == APPLICATION_MAX_CONTACTS || !json_is_object(v))
            continue;
        out->contacts[out->ncontacts++] =
            (struct application_contact){dup_member(v, "type"), dup_member(v, "name"),
                                         dup_member(v, "email"), dup_member(v, "phone")};
    }
    out->accepted_terms_version = dup_member(doc, "accepted_terms_version");
    json_array_foreach(json_object_get(doc, "requested_programs"), i, v)
    {
        if (out->nprograms < APPLICATION_MAX_PROGRAMS && json_is_string(v))
            out->requested_programs[out->nprograms++] = xstrdup(json_string_value(v));
    }
}

json_t *application_to_json(const struct application *a)
{
    json_t *contacts = json_array(), *programs = json_array();
    for (size_t i = 0; i < a->ncontacts; i++) {
        const struct application_contact *c = &a->contacts[i];
        json_array_append_new(contacts,
                              json_pack("{s:s?, s:s?, s:s?, s:s?}", "type", c->type, "name",
                                        c->name, "email", c->email, "phone", c->phone));
    }
    for (size_t i = 0; i < a->nprograms; i++)
        json_array_append_new(programs, json_string(a->requested_programs[i]));
    const struct application_address *ad = &a->address;
    return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:{s:s?, s:s?, s:s?, s:s?}, s:s?, s:o, s:s?, "
                     "s:o}",
                     "legal_name", a->legal_name, "trade_name", a->trade_name, "nif", a->nif,
                     "vat_number", a->vat_number, "country", a->country, "address", "street",
                     ad->street, "postal_code", ad->postal_code, "city", ad->city, "country",
                     ad->country, "website", a->website, "contacts", contacts,
                     "accepted_terms_version", a->accepted_terms_version, "requested_programs",
                     programs);
}

const char *application_status_name(enum application_status status)
{
    return (unsigned)status < APPLICATION_STATUS_COUNT ? states[status] : NULL;
}

bool application_status_parse(const char *name, enum application_status *out)
{
    int i = machine_state(&application_machine, name);
    if (i >= 0)
        *out = (enum application_status)i;
    return i >= 0;
}

const char *application_action_name(enum application_action action)
{
    return (unsigned)action < APPLICATION_ACTION_COUNT ? actions[action].name : NULL;
}

bool application_action_parse(const char *name, enum application_action *out)
{
    int i = machine_action(&application_machine, name);
    if (i >= 0)
        *out = (enum application_action)i;
    return i >= 0;
}

bool application_action_needs_reason(enum application_action action)
{
    return (unsigned)action < APPLICATION_ACTION_COUNT && actions[action].needs_reason;
}

enum status application_transition(enum application_status from, enum application_action action,
                                   unsigned role, bool credentials_collected,
                                   enum application_status *to)
{
    int next;
    enum status st = machine_transition(&application_machine, (int)from, (int)action, role, &next);
    if (st != ST_OK)
        return st;
    /* The first API client's secret is shown once: a second collection would
     * have to mint another client, which is the registrar's own business. */
    if (action == APPLICATION_ACT_COLLECT_CREDENTIALS && credentials_collected)
        return ST_INVALID_STATE;
    *to = (enum application_status)next;
    return ST_OK;
}

size_t application_allowed_actions(enum application_status status, unsigned role,
                                   bool credentials_collected, const char **out, size_t cap)
{
    unsigned skip = credentials_collected ? MACHINE_BIT(APPLICATION_ACT_COLLECT_CREDENTIALS) : 0;
    return machine_allowed(&application_machine, (int)status, role, skip, out, cap);
}

/* --- Rules across fields -------------------------------------------------- */

static const char *member(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

static void check_tax_identity(const json_t *doc, struct field_issues *is)
{
    const char *nif = member(doc, "nif"), *vat = member(doc, "vat_number");
    const char *country = member(doc, "country");
    if (nif == NULL && vat == NULL)
        field_issue_add(is, ERR_REQUIRED, "/nif");
    else if (nif != NULL && vat != NULL)
        field_issue_add(is, ERR_EXCLUSIVE, "/vat_number");
    else if (vat != NULL && country == NULL)
        field_issue_add(is, ERR_REQUIRED, "/country");
    else if (vat != NULL && strcmp(country, "PT") == 0)
        field_issue_add(is, ERR_USE_NIF, "/vat_number");
    else if (vat != NULL && validate_country(country) && !validate_vat(country, vat))
        field_issue_add(is, ERR_VAT_NUMBER, "/vat_number");
}

static void check_address(const json_t *doc, struct field_issues *is)
{
    const json_t *address = json_object_get(doc, "address");
    const char *code = member(address, "postal_code");
    if (code != NULL && !validate_postal_code(member(address, "country"), code))
        field_issue_add(is, ERR_POSTAL_CODE, "/address/postal_code");
}

static void check_contacts(const json_t *doc, struct field_issues *is)
{
    static const struct {
        const char *type;
        enum error_code code;
    } required[] = {
        {"admin", ERR_ADMIN_CONTACT_REQUIRED},
        {"technical", ERR_TECHNICAL_CONTACT_REQUIRED},
        {"security", ERR_SECURITY_CONTACT_REQUIRED},
    };
    const json_t *contacts = json_object_get(doc, "contacts");
    if (!json_is_array(contacts)) /* the field table reports it */
        return;
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        bool found = false;
        size_t i;
        const json_t *c;
        json_array_foreach(contacts, i, c)
        {
            const char *type = member(c, "type");
            found = found || (type != NULL && strcmp(type, required[r].type) == 0);
        }
        if (!found)
            field_issue_add(is, required[r].code, "/contacts");
    }
}

size_t application_check(const json_t *doc, struct field_issue *out, size_t cap)
{
    struct field_issues is = {out, cap, 0};
    check_tax_identity(doc, &is);
    check_address(doc, &is);
    check_contacts(doc, &is);
    return field_issues_count(&is);
}

char *application_tax_id(const struct application *a)
{
    if (a->nif != NULL)
        return validate_nif(a->nif) ? xasprintf("PT%s", a->nif) : NULL;
    char *body = a->vat_number != NULL && a->country != NULL
                     ? validate_vat_normalize(a->country, a->vat_number)
                     : NULL;
    char *id = body != NULL ? xasprintf("%s%s", a->country, body) : NULL;
    free(body);
    return id;
}

char *application_admin_email(const struct application *a)
{
    for (size_t i = 0; i < a->ncontacts; i++) {
        const struct application_contact *c = &a->contacts[i];
        if (c->type != NULL && c->email != NULL && strcmp(c->type, "admin") == 0) {
            char *out = xstrdup(c->email);
            for (char *p = out; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            return out;
        }
    }
    return xstrdup("");
}

void application_normalise(struct application *a)
{
    if (a->country == NULL && a->nif != NULL)
        a->country = xstrdup("PT");
    char *canonical =
        a->vat_number && a->country ? validate_vat_normalize(a->country, a->vat_number) : NULL;
    if (canonical != NULL) {
        free(a->vat_number);
        a->vat_number = canonical;
    }
}
