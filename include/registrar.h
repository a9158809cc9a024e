/* A registrar's status machine: who may suspend, reinstate or terminate it,
 * from which status, and the action names of allowed_actions. Pure: no I/O.
 *
 *   action          who               from                   to
 *   suspend (R)     staff             accredited             suspended
 *   reinstate (R)   staff             suspended              accredited
 *   terminate (R)   staff             accredited, suspended  terminated
 *   edit (PATCH)    staff, registrar  accredited, suspended  (unchanged)
 *
 * staff: ROLE_STAFF or ROLE_ADMIN. (R): a reason is required, and every
 * change is kept in the history. terminated is final: nothing, not even an
 * edit, applies to it; terminating also revokes the registrar's API clients
 * (an effect of the action, run by the service in the same transaction). A suspended registrar may
 * still correct its own contacts and website: .PT must keep reaching it. Whether a registrar's
 * token is for this registrar (claim registrar_id) is the caller's check, before these. */
#ifndef PARCERIA_REGISTRAR_H
#define PARCERIA_REGISTRAR_H

#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum registrar_status {
    REGISTRAR_ACCREDITED,
    REGISTRAR_SUSPENDED,
    REGISTRAR_TERMINATED,
};
#define REGISTRAR_STATUS_COUNT 3

enum registrar_action {
    REGISTRAR_ACT_SUSPEND,
    REGISTRAR_ACT_REINSTATE,
    REGISTRAR_ACT_TERMINATE,
    REGISTRAR_ACT_EDIT,
};
#define REGISTRAR_ACTION_COUNT 4

/* The side effects of the registrar's actions (machine_action.effects). */
enum registrar_effect {
    REGISTRAR_EFFECT_REVOKE_CLIENTS = 1u << 0, /* terminate: every API client is revoked */
};

struct machine;
extern const struct machine registrar_machine;

/* One registrar as stored. A row of the public directory holds only the
 * public columns (id, handle, trade_name, website, accredited_at; status
 * accredited) and fields NULL; a whole record has every column. */
struct registrar_row {
    char id[37];
    char handle[64];
    char trade_name[401]; /* 100 characters of up to 4 bytes */
    char *website;        /* owned; NULL when none */
    json_t *fields;       /* owned, whole records only: legal_name, trade_name, nif, vat_number,
                             country, website, address, contacts */
    json_t *programs;     /* owned: the codes of its active enrollments */
    enum registrar_status status;
    char accredited_at[32];
    char application_id[37];
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void registrar_row_cleanup(struct registrar_row *row);

/* "accredited", "suspended", "terminated"; NULL outside the enum. Lent. */
const char *registrar_status_name(enum registrar_status status);
bool registrar_status_parse(const char *name, enum registrar_status *out) WARN_UNUSED;
/* "suspend", "reinstate", "terminate", "edit"; NULL outside the enum. Lent. */
const char *registrar_action_name(enum registrar_action action);
bool registrar_action_parse(const char *name, enum registrar_action *out) WARN_UNUSED;
/* True for suspend, reinstate and terminate. */
bool registrar_action_needs_reason(enum registrar_action action);

/* Whether role (enum api_role bits) may take action from status from: ST_OK
 * with *to set; ST_FORBIDDEN when the role may never take it;
 * ST_INVALID_STATE when not from this state; ST_INVALID outside the enums. */
enum status registrar_transition(enum registrar_status from, enum registrar_action action,
                                 unsigned role, enum registrar_status *to) WARN_UNUSED;

/* The names of the actions role may take now, for allowed_actions, in the
 * order of enum registrar_action. Writes at most cap (REGISTRAR_ACTION_COUNT
 * is always enough) lent names to out; returns how many it wrote. */
size_t registrar_allowed_actions(enum registrar_status status, unsigned role, const char **out,
                                 size_t cap);

#endif
