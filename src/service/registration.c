/* Registrations as a kind for the generic runner, registering, eligibility
 * and the waitlist. Every change takes the event's row lock first (the
 * store's locked load does), so seats are counted one change at a time and
 * the waitlist is served in arrival order. */
#include "service_registration.h"

#include "service_agreement.h"
#include "store_audit.h"
#include "store_event.h"
#include "store_registration.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const personal_fields[] = {"name", "email", NULL}; /* of attendees */

SERVICE_ROW_ACCESSORS(struct registration_row, registration_row_cleanup, store_registration_get)

static const char *owner(const void *row)
{
    return ((const struct registration_row *)row)->registrar_id;
}

static unsigned ruled_out(const void *row)
{
    return registration_ruled_out(row);
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_registration_move(conn, row, registration_status_name(to), reason);
}

/* A change of one registration's state the caller did not ask for (a
 * promotion, an event's cancellation), with its audit event. */
static enum status move_audited(const struct service_call *call, const char *id,
                                enum registration_status from, enum registration_status to,
                                const char *action, const char *reason)
{
    struct registration_row r = {0};
    snprintf(r.id, sizeof r.id, "%s", id);
    enum status st = store_registration_move(call->conn, &r, registration_status_name(to), reason);
    struct audit_entry e = {.action = action,
                            .resource_type = service_registration_kind.type,
                            .resource_id = id,
                            .from_status = registration_status_name(from),
                            .to_status = registration_status_name(to),
                            .reason = reason,
                            .registrar_id = r.registrar_id};
    if (st == ST_OK)
        st = service_record(call, &e);
    registration_row_cleanup(&r);
    return st;
}

enum status service_registration_promote(const struct service_call *call, const char *event_id)
{
    struct event_row event = {0};
    char **ids = NULL;
    int *seats = NULL;
    enum status st = store_event_get(call->conn, event_id, false, &event);
    if (st == ST_OK)
        st = store_registration_waitlist(call->conn, event_id, &ids, &seats);
    size_t n = 0;
    while (ids != NULL && ids[n] != NULL)
        n++;
    size_t k =
        st == ST_OK ? registration_promotable(event.capacity, event.seats_taken, seats, n) : 0;
    for (size_t i = 0; st == ST_OK && i < k; i++)
        st = move_audited(call, ids[i], REGISTRATION_WAITLISTED, REGISTRATION_CONFIRMED, "promote",
                          NULL);
    util_strv_free(ids);
    free(seats);
    event_row_cleanup(&event);
    return st;
}

enum status service_registration_cancel_all(const struct service_call *call, const char *event_id,
                                            const char *reason)
{
    char **ids = NULL;
    enum status st = store_registration_live(call->conn, event_id, &ids);
    for (size_t i = 0; st == ST_OK && ids[i] != NULL; i++) {
        struct registration_row r = {0};
        st = store_registration_get(call->conn, ids[i], false, &r);
        if (st == ST_OK)
            st = move_audited(call, ids[i], r.status, REGISTRATION_CANCELLED, "cancel", reason);
        registration_row_cleanup(&r);
    }
    util_strv_free(ids);
    return st;
}

/* A confirmed registration's new attendees fit the event's seats: its own
 * seats are counted already. */
static enum status seats_fit(PGconn *conn, const struct registration_row *row,
                             const struct registration_row *next, struct service_outcome *outcome)
{
    struct event_row event = {0};
    enum status st = store_event_get(conn, row->event_id, false, &event);
    int seats = (int)json_array_size(next->attendees);
    if (st == ST_OK && row->status == REGISTRATION_CONFIRMED && event.capacity > 0 &&
        event.seats_taken - row->seats + seats > event.capacity) {
        outcome->conflict = eligibility_code_name(ELIGIBILITY_CAPACITY);
        st = ST_CAPACITY_FULL;
    }
    event_row_cleanup(&event);
    return st;
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    enum status st = seats_fit(conn, row, next, outcome);
    return st == ST_OK ? store_registration_update(conn, row, next) : st;
}

static enum status effect(const struct service_call *call, void *r, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    (void)extra, (void)outcome;
    struct registration_row *row = r;
    if (effect != REGISTRATION_EFFECT_PROMOTE)
        return ST_INVALID;
    enum status st = service_registration_promote(call, row->event_id);
    /* a promotion moved the waitlist's positions: the row as it stands */
    return st == ST_OK ? store_registration_get(call->conn, row->id, false, row) : st;
}

const struct service_kind service_registration_kind = {
    .type = "registration",
    .machine = &registration_machine,
    .edit_action = REGISTRATION_ACT_EDIT,
    .row_size = sizeof(struct registration_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .ruled_out = ruled_out,
    .move = move,
    .effect = effect,
    .owner = owner,
    .save = save,
    .list = store_registration_list,
};

/* --- eligibility and registering ----------------------------------------- */

/* The facts of registrar_id at the event, with adding seats still to add. */
static enum status facts_of(PGconn *conn, const char *event_id, const char *registrar_id,
                            int adding, struct eligibility_facts *f)
{
    enum status st = store_event_facts(conn, event_id, registrar_id, f);
    if (st == ST_OK && !f->registrar_found)
        st = ST_NOT_FOUND;
    if (st == ST_OK)
        st = service_agreement_facts(conn, registrar_id, f);
    f->adding = adding;
    return st;
}

enum status service_registration_eligibility(const struct service_call *call, const char *event_id,
                                             const char *registrar_id, struct eligibility *out,
                                             enum registration_status *placement)
{
    struct eligibility_facts f;
    enum status st = facts_of(call->conn, event_id, registrar_id, 1, &f);
    if (st != ST_OK)
        return st;
    eligibility_judge(&f, ELIGIBILITY_ALL, out);
    *placement = eligibility_fits(&f) ? REGISTRATION_CONFIRMED : REGISTRATION_WAITLISTED;
    return ST_OK;
}

struct create {
    const struct service_call *call;
    const struct registration_new *in;
    struct registration_row *out;
    struct service_outcome *outcome;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    struct event_row event = {0};
    struct eligibility_facts f;
    struct eligibility e;
    int seats = (int)json_array_size(c->in->attendees);
    enum status st = store_event_lock(conn, c->in->event_id);
    if (st == ST_OK) /* after the lock: a snapshot that sees every registration before ours */
        st = store_event_get(conn, c->in->event_id, false, &event);
    if (st == ST_OK && seats > event.max_attendees)
        st = service_field_refusal(c->outcome, "/attendees", ERR_TOO_MANY);
    event_row_cleanup(&event);
    if (st == ST_OK)
        st = facts_of(conn, c->in->event_id, c->in->registrar_id, seats, &f);
    if (st != ST_OK)
        return st;
    eligibility_judge(&f, ELIGIBILITY_ALL, &e);
    const struct eligibility_check *refusal = eligibility_refusal(&e);
    if (refusal != NULL && refusal->code == ELIGIBILITY_AGREEMENT)
        return service_agreement_refusal(&f.agreement, c->outcome);
    if (refusal != NULL) {
        c->outcome->conflict = eligibility_code_name(refusal->code);
        snprintf(c->outcome->subject, sizeof c->outcome->subject, "%s", refusal->subject);
        return eligibility_status(&f, refusal);
    }
    struct registration_new in = *c->in;
    in.status = eligibility_fits(&f) ? REGISTRATION_CONFIRMED : REGISTRATION_WAITLISTED;
    st = store_registration_insert(conn, &in, c->out);
    if (st == ST_CONFLICT) /* the unique index */
        c->outcome->conflict = eligibility_code_name(ELIGIBILITY_DUPLICATE);
    return st == ST_OK
               ? service_audit_created(c->call, &service_registration_kind, "register", c->out)
               : st;
}

enum status service_registration_create(const struct service_call *call,
                                        const struct registration_new *in,
                                        struct registration_row *out,
                                        struct service_outcome *outcome)
{
    struct create c = {call, in, out, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

/* --- the draw's registrations ------------------------------------------- */

enum status service_registration_cover(const struct service_call *call, const char *event_id,
                                       const char *registrar_id, const char *draw_id)
{
    char found[37];
    enum status st = store_event_lock(call->conn, event_id);
    if (st == ST_OK)
        st = store_registration_of(call->conn, event_id, registrar_id, found);
    if (st != ST_OK)
        return st;
    if (found[0] != '\0') {
        st = store_registration_cover(call->conn, found, draw_id);
        struct audit_entry e = {.action = "cover",
                                .resource_type = service_registration_kind.type,
                                .resource_id = found,
                                .registrar_id = registrar_id};
        return st == ST_OK ? service_record(call, &e) : st;
    }
    json_t *none = json_array();
    struct registration_new in = {event_id, registrar_id, REGISTRATION_CONFIRMED,
                                  none,     true,         draw_id};
    struct registration_row r = {0};
    st = store_registration_insert(call->conn, &in, &r);
    if (st == ST_OK)
        st = service_audit_created(call, &service_registration_kind, "register", &r);
    registration_row_cleanup(&r);
    json_decref(none);
    return st;
}

enum status service_registration_withdraw(const struct service_call *call, const char *event_id,
                                          const char *registrar_id, const char *reason)
{
    char found[37];
    struct registration_row r = {0};
    enum status st = store_event_lock(call->conn, event_id);
    if (st == ST_OK)
        st = store_registration_of(call->conn, event_id, registrar_id, found);
    if (st == ST_OK && found[0] != '\0') {
        st = store_registration_get(call->conn, found, false, &r);
        if (st == ST_OK && r.status != REGISTRATION_ATTENDED)
            st = move_audited(call, found, r.status, REGISTRATION_CANCELLED, "cancel", reason);
        if (st == ST_OK)
            st = service_registration_promote(call, event_id);
    }
    registration_row_cleanup(&r);
    return st;
}
