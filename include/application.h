/* The accreditation application: its state machine, the action names the API
 * and allowed_actions use, and the rules across fields that a field table
 * cannot express. Pure: no I/O. Whether an applicant's token is for this
 * application (claim application_id) is the caller's check, before these.
 *
 *   action               who               from                          to
 *   start-review         staff             submitted                     under_review
 *   request-changes (R)  staff             submitted, under_review       changes_requested
 *   resubmit             applicant         changes_requested             submitted
 *   approve              staff             under_review                  approved
 *   reject (R)           staff             submitted, under_review,      rejected
 *                                          changes_requested
 *   withdraw             applicant         submitted, under_review,      withdrawn
 *                                          changes_requested
 *   edit (PATCH)         applicant, staff  submitted, changes_requested  (unchanged)
 *   collect-credentials  applicant         approved, once                (unchanged)
 *
 * Effects: reject and withdraw revoke the access key; approve creates the
 * registrar and gives the key 30 more days; resubmit restamps submitted_at;
 * collect-credentials issues the first API client and closes the key.
 *
 * staff: ROLE_STAFF or ROLE_ADMIN. (R): a reason is required. approved,
 * rejected and withdrawn are final. Staff may ask for changes without
 * starting a review (an incomplete application need not enter the queue);
 * approval needs a review first, so no application is approved unread; a
 * reject is possible until the applicant withdraws or it is decided. */
#ifndef PARCERIA_APPLICATION_H
#define PARCERIA_APPLICATION_H

#include "error_code.h"
#include "field_issue.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum application_status {
    APPLICATION_SUBMITTED,
    APPLICATION_UNDER_REVIEW,
    APPLICATION_CHANGES_REQUESTED,
    APPLICATION_APPROVED,
    APPLICATION_REJECTED,
    APPLICATION_WITHDRAWN,
};
#define APPLICATION_STATUS_COUNT 6

enum application_action {
    APPLICATION_ACT_START_REVIEW,
    APPLICATION_ACT_REQUEST_CHANGES,
    APPLICATION_ACT_RESUBMIT,
    APPLICATION_ACT_APPROVE,
    APPLICATION_ACT_REJECT,
    APPLICATION_ACT_WITHDRAW,
    APPLICATION_ACT_EDIT,
    APPLICATION_ACT_COLLECT_CREDENTIALS,
};
#define APPLICATION_ACTION_COUNT 8

/* The side effects of the application's actions (machine_action.effects). */
enum application_effect {
    APPLICATION_EFFECT_RESTAMP = 1u << 0,          /* resubmit: submitted_at is now */
    APPLICATION_EFFECT_REVOKE_KEY = 1u << 1,       /* reject, withdraw: the access key stops */
    APPLICATION_EFFECT_CREATE_REGISTRAR = 1u << 2, /* approve: the registrar, linked */
    APPLICATION_EFFECT_EXTEND_KEY = 1u << 3,       /* approve: the key lives 30 more days */
    APPLICATION_EFFECT_ISSUE_CLIENT = 1u << 4,     /* collect-credentials: the first API client */
    APPLICATION_EFFECT_CLOSE_KEY = 1u << 5,        /* collect-credentials: no more tokens */
};

/* The machine itself, for the service layer's generic action runner. */
struct machine;
extern const struct machine application_machine;

/* An application's own fields, as the applicant gives them. Strings are
 * owned; nif, vat_number and country are NULL when absent. */
#define APPLICATION_MAX_CONTACTS 10
#define APPLICATION_MAX_PROGRAMS 10
struct application_address {
    char *street, *postal_code, *city, *country;
};
struct application_contact {
    char *type, *name, *email, *phone;
};
struct application {
    char *legal_name, *trade_name;
    char *nif, *vat_number, *country;
    struct application_address address;
    char *website;
    struct application_contact contacts[APPLICATION_MAX_CONTACTS];
    size_t ncontacts;
    char *accepted_terms_version;
    char *requested_programs[APPLICATION_MAX_PROGRAMS];
    size_t nprograms;
};
/* Frees what a owns and leaves it empty. */
void application_cleanup(struct application *a);
/* Reads a document (a validated body, or the stored jsonb): members of the
 * wrong type or absent leave their fields NULL or empty; arrays are cut at
 * their maximum. */
void application_from_json(const json_t *doc, struct application *out);
/* The document, its members in the documented order (absent nif, vat_number
 * and country as null). Returns a new reference. */
json_t *application_to_json(const struct application *a);

/* One application as stored. */
struct application_row {
    char id[37];
    enum application_status status;
    struct application doc; /* the applicant's fields */
    char *reason;           /* owned, NULL when none */
    char registrar_id[37];
    bool credentials_collected;
    int version;
    char submitted_at[32];
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
/* Frees what row owns and leaves it empty. */
void application_row_cleanup(struct application_row *row);

/* "submitted", "under_review", …; NULL outside the enum. Lent. */
const char *application_status_name(enum application_status status);
/* Reads an exact status name. */
bool application_status_parse(const char *name, enum application_status *out) WARN_UNUSED;
/* "start-review", "request-changes", …, "edit", "collect-credentials"; NULL
 * outside the enum. Lent. */
const char *application_action_name(enum application_action action);
bool application_action_parse(const char *name, enum application_action *out) WARN_UNUSED;
/* True for request-changes and reject. */
bool application_action_needs_reason(enum application_action action);

/* Whether role (enum api_role bits) may take action from status from: ST_OK
 * with *to set; ST_FORBIDDEN when the role may never take it; ST_INVALID_STATE
 * when not from this state, or collect-credentials once credentials_collected;
 * ST_INVALID outside the enums. */
enum status application_transition(enum application_status from, enum application_action action,
                                   unsigned role, bool credentials_collected,
                                   enum application_status *to) WARN_UNUSED;

/* The names of the actions role may take now, for allowed_actions, in the
 * order of enum application_action. Writes at most cap (APPLICATION_ACTION_COUNT
 * is always enough) lent names to out; returns how many it wrote. */
size_t application_allowed_actions(enum application_status status, unsigned role,
                                   bool credentials_collected, const char **out, size_t cap);

#define APPLICATION_MAX_ISSUES 8 /* application_check never finds more */

/* The rules across fields of a whole application document (a create body, or
 * the stored document with a merge patch applied), once the field table has
 * checked each field on its own:
 *   /nif required            neither nif nor vat_number
 *   /vat_number exclusive    both
 *   /country required        a vat_number without a country
 *   /vat_number use_nif      a vat_number with country PT (the NIF is the
 *                            Portuguese number: one spelling per company)
 *   /vat_number vat_number   a vat_number not in its country's format
 *   /address/postal_code postal_code   not in address.country's format
 *   /contacts admin_contact_required, technical_contact_required,
 *             security_contact_required
 * A nif may come with another country (a foreign company's Portuguese NIF);
 * without one, country is PT. Writes at most cap issues; returns how many. */
size_t application_check(const json_t *doc, struct field_issue *out, size_t cap);

/* The tax identity that "one open application per tax number" and "none for
 * a registrar's tax number" compare: "PT" + nif, or the ISO country +
 * validate_vat_normalize(country, vat_number) ("GR094014201" for EL094014201).
 * Returns a new string, or NULL when the document has no valid one. */
char *application_tax_id(const struct application *a);

/* The admin contact's email, lowercased ("" when none): the key of the
 * per-email submission limit. Returns a new string. */
char *application_admin_email(const struct application *a);

/* Fills what a document implies: country PT with a NIF and no country, and
 * the VAT number in its canonical spelling. */
void application_normalise(struct application *a);

#endif
