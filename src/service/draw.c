/* Draws as a kind for the generic runner, and their creation. Freezing
 * fixes the pool and closes the source event's check-in; running checks
 * the seed against the commitment, orders the pool (draw_order.h) and
 * registers the winners for the target event with their expenses covered;
 * a decline steps the next alternate in. All in the action's transaction. */
#include "service_draw.h"

#include "event.h"
#include "service_registration.h"
#include "store_audit.h"
#include "store_draw.h"
#include "store_event.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const personal_fields[] = {NULL};

SERVICE_ROW_ACCESSORS(struct draw_row, draw_row_cleanup, store_draw_get)

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason;
    return store_draw_move(conn, row, draw_status_name(to));
}

static const char *member(const void *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

static enum status run(const struct service_call *call, struct draw_row *row, const void *body,
                       struct service_outcome *outcome)
{
    const char *seed = member(body, "seed"), *entropy = member(body, "public_entropy");
    if (seed == NULL || entropy == NULL || !draw_seed_matches(seed, row->seed_commitment))
        return service_field_refusal(outcome, "/seed", ERR_SEED_MISMATCH);
    draw_result(row, seed, entropy);
    enum status st = store_draw_record(call->conn, row);
    for (size_t i = 0; st == ST_OK && i < row->winners.n; i++)
        st = service_registration_cover(call, row->target_event_id, row->winners.ids[i], row->id);
    return st;
}

static enum status decline(const struct service_call *call, struct draw_row *row, const void *body,
                           struct service_outcome *outcome)
{
    const char *who = call->registrar_id ? call->registrar_id : member(body, "registrar_id");
    char promoted[DRAW_ID_SIZE];
    if (who == NULL)
        return service_field_refusal(outcome, "/registrar_id", ERR_REQUIRED);
    if (!draw_decline(row, who, promoted))
        return call->registrar_id
                   ? ST_FORBIDDEN
                   : service_field_refusal(outcome, "/registrar_id", ERR_NOT_A_WINNER);
    enum status st = store_draw_record_decline(call->conn, row);
    if (st == ST_OK)
        st = service_registration_withdraw(call, row->target_event_id, who, "declined");
    if (st == ST_OK && promoted[0] != '\0')
        st = service_registration_cover(call, row->target_event_id, promoted, row->id);
    return st;
}

static enum status effect(const struct service_call *call, void *r, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    struct draw_row *row = r;
    enum status st;
    switch (effect) {
    case DRAW_EFFECT_FREEZE:
        st = store_event_lock(call->conn, row->source_event_id);
        if (st == ST_OK)
            st = store_draw_freeze(call->conn, row);
        return st == ST_OK ? store_event_close_check_in(call->conn, row->source_event_id) : st;
    case DRAW_EFFECT_RUN:
        return run(call, row, extra, outcome);
    case DRAW_EFFECT_DECLINE:
        return decline(call, row, extra, outcome);
    default:
        return ST_INVALID;
    }
}

/* run asked again of a drawn draw: the same seed and entropy change nothing. */
static enum status again(const struct service_call *call, const void *r, int action,
                         const void *extra)
{
    (void)call;
    const struct draw_row *row = r;
    const char *seed = member(extra, "seed"), *entropy = member(extra, "public_entropy");
    bool same = action == DRAW_ACT_RUN && row->drawn && seed != NULL && entropy != NULL &&
                strcmp(seed, row->seed) == 0 && strcmp(entropy, row->public_entropy) == 0;
    return same ? ST_UNCHANGED : ST_INVALID_STATE;
}

const struct service_kind service_draw_kind = {
    .type = "draw",
    .machine = &draw_machine,
    .edit_action = -1, /* no edits: what was committed stays */
    .row_size = sizeof(struct draw_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .move = move,
    .effect = effect,
    .again = again,
    .list = store_draw_list,
};

struct create {
    const struct service_call *call;
    const struct draw_row *in;
    struct draw_row *out;
    struct service_outcome *outcome;
};

/* The event id names an event of kind, or a refusal of the field. */
static enum status event_of_kind(PGconn *conn, const char *id, enum event_kind kind,
                                 const char *pointer, struct service_outcome *outcome)
{
    struct event_row e = {0};
    enum status st = store_event_get(conn, id, false, &e);
    if (st == ST_NOT_FOUND)
        st = service_field_refusal(outcome, pointer, ERR_UNKNOWN_EVENT);
    else if (st == ST_OK && e.kind != kind)
        st = service_field_refusal(outcome, pointer, ERR_EVENT_KIND);
    event_row_cleanup(&e);
    return st;
}

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    enum status st = event_of_kind(conn, c->in->source_event_id, EVENT_REGISTRAR_MEETING,
                                   "/source_event_id", c->outcome);
    if (st == ST_OK)
        st = event_of_kind(conn, c->in->target_event_id, EVENT_CENTR_REGISTRAR_DAY,
                           "/target_event_id", c->outcome);
    if (st == ST_OK)
        st = store_draw_insert(conn, c->in, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_draw_kind, "create", c->out) : st;
}

enum status service_draw_create(const struct service_call *call, const struct draw_row *d,
                                struct draw_row *out, struct service_outcome *outcome)
{
    struct create c = {call, d, out, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}
