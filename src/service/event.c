/* Events as a kind for the generic runner, their creation and the calendar
 * feed. Cancelling an event cancels its registrations, and an edit that
 * makes room promotes its waitlist, in the same transaction. */
#include "service_event.h"

#include "service_registration.h"
#include "store_audit.h"
#include "store_event.h"
#include "store_program.h"

#include <stdio.h>

static const char *const personal_fields[] = {NULL};

SERVICE_ROW_ACCESSORS(struct event_row, event_row_cleanup, store_event_get)

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason; /* kept in the audit event */
    return store_event_move(conn, row, event_status_name(to));
}

/* The program an event's eligibility names exists. */
static enum status eligibility_known(PGconn *conn, const struct event_row *e,
                                     struct service_outcome *outcome)
{
    const char *program = event_required_program(e);
    int unknown = -1;
    char codes[1][PROGRAM_CODE_MAX + 1];
    if (program == NULL)
        return ST_OK;
    snprintf(codes[0], sizeof codes[0], "%s", program);
    enum status st = store_program_unknown(conn, codes, 1, &unknown);
    if (st == ST_OK && unknown >= 0)
        st = service_field_refusal(outcome, "/eligibility", ERR_UNKNOWN_PROGRAM);
    return st;
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    enum status st = eligibility_known(conn, next, outcome);
    return st == ST_OK ? store_event_update(conn, row, next) : st;
}

static enum status effect(const struct service_call *call, void *r, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    (void)extra, (void)outcome;
    struct event_row *row = r;
    enum status st;
    switch (effect) {
    case EVENT_EFFECT_REGISTRATIONS:
        st = service_registration_cancel_all(call, row->id, "event cancelled");
        break;
    case EVENT_EFFECT_PROMOTE:
        st = service_registration_promote(call, row->id);
        break;
    default:
        return ST_INVALID;
    }
    /* the registrations moved the event's seats: the row as it stands */
    return st == ST_OK ? store_event_get(call->conn, row->id, false, row) : st;
}

const struct service_kind service_event_kind = {
    .type = "event",
    .machine = &event_machine,
    .edit_action = EVENT_ACT_EDIT,
    .row_size = sizeof(struct event_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .move = move,
    .effect = effect,
    .save = save,
    .list = store_event_list,
};

struct create {
    const struct service_call *call;
    const struct event_row *in;
    struct event_row *out;
    struct service_outcome *outcome;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    enum status st = eligibility_known(conn, c->in, c->outcome);
    if (st == ST_OK)
        st = store_event_insert(conn, c->in, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_event_kind, "create", c->out) : st;
}

enum status service_event_create(const struct service_call *call, const struct event_row *e,
                                 struct event_row *out, struct service_outcome *outcome)
{
    struct create c = {call, e, out, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

enum status service_event_calendar(const struct service_call *call, struct page_result *out)
{
    return store_event_calendar(call->conn, SERVICE_EVENT_CALENDAR_MAX, out);
}
