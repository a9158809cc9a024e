/* Data-subject requests (DOMAIN.md section 9): a person asks, by email, to
 * see (access), erase (erasure) or correct (rectification) the personal data
 * the registry holds. Pure: no I/O.
 *
 *   action   who    from   to          notes
 *   extend   staff  open   (same)      once, {"reason"}: due_at += 2 months
 *   fulfil   staff  open   fulfilled   an erasure erases and keeps its report
 *   reject   staff  open   rejected    reason required
 *
 * due_at is received_at + 1 month; overdue: open and past due_at. */
#ifndef PARCERIA_DATA_REQUEST_H
#define PARCERIA_DATA_REQUEST_H

#include "status.h"

#include <jansson.h>
#include <stdbool.h>

enum data_request_kind {
    DATA_REQUEST_ACCESS,
    DATA_REQUEST_ERASURE,
    DATA_REQUEST_RECTIFICATION,
};
#define DATA_REQUEST_KIND_COUNT 3

enum data_request_status {
    DATA_REQUEST_OPEN,
    DATA_REQUEST_FULFILLED,
    DATA_REQUEST_REJECTED,
};
#define DATA_REQUEST_STATUS_COUNT 3

enum data_request_action {
    DATA_REQUEST_ACT_EXTEND,
    DATA_REQUEST_ACT_FULFIL,
    DATA_REQUEST_ACT_REJECT,
};
#define DATA_REQUEST_ACTION_COUNT 3

enum data_request_effect {
    DATA_REQUEST_EFFECT_EXTEND = 1u << 0, /* due_at += 2 months, once, with the reason */
    DATA_REQUEST_EFFECT_ERASE = 1u << 1,  /* an erasure's erasing and report */
};

/* The rule that refuses a second extension (409 invalid-state's conflict). */
#define DATA_REQUEST_RULE_EXTENDED "already-extended"

struct machine;
extern const struct machine data_request_machine;

struct data_request_row {
    char id[37];
    enum data_request_kind kind;
    char email[255];
    char received_at[32];
    char due_at[32];
    bool extended;
    char *extension_reason; /* owned, or NULL */
    enum data_request_status status;
    char *reason;   /* owned, or NULL: a rejection's */
    json_t *report; /* owned, or NULL: a fulfilled erasure's report */
    bool overdue;
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void data_request_row_cleanup(struct data_request_row *row);

const char *data_request_kind_name(enum data_request_kind kind);
bool data_request_kind_parse(const char *name, enum data_request_kind *out) WARN_UNUSED;
bool data_request_kind_valid(const char *name);
const char *data_request_status_name(enum data_request_status status);
bool data_request_status_parse(const char *name, enum data_request_status *out) WARN_UNUSED;

/* Actions that the row's own rules rule out now (bits of action indexes):
 * extend once extended. */
unsigned data_request_ruled_out(const struct data_request_row *row);

#endif
