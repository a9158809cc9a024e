/* Incidents as a kind for the generic runner, reporting one, and the
 * timeline. The acknowledgement's deadline follows the severity
 * (incident_acknowledge_hours), on creation and on every edit. */
#include "service_incident.h"

#include "store_audit.h"
#include "store_registrar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* free text people write about people and systems: hashed in the audit log */
static const char *const personal_fields[] = {"description", "body", NULL};

SERVICE_ROW_ACCESSORS(struct incident_row, incident_row_cleanup, store_incident_get)

static const char *owner(const void *row)
{
    return ((const struct incident_row *)row)->registrar_id;
}

static const char *concerns(const void *row)
{
    const char *r = owner(row);
    return r[0] ? r : NULL;
}

static unsigned ruled_out_for(const void *row, unsigned role)
{
    return incident_ruled_out_for(((const struct incident_row *)row)->status, role);
}

static bool confidential(const void *row)
{
    return incident_confidential_tlp(((const struct incident_row *)row)->tlp);
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason; /* kept in the audit event */
    return store_incident_move(conn, row, incident_status_name(to));
}

/* A named registrar exists and is not terminated. */
static enum status registrar_known(PGconn *conn, const char *id, struct service_outcome *outcome)
{
    struct registrar_brief b;
    if (id[0] == '\0')
        return ST_OK;
    enum status st = store_registrar_brief(conn, id, &b);
    if (st == ST_NOT_FOUND || (st == ST_OK && b.status == REGISTRAR_TERMINATED))
        return service_field_refusal(outcome, "/registrar_id", ERR_UNKNOWN_REGISTRAR);
    return st;
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    const struct incident_row *n = next;
    struct incident_row *r = row;
    enum status st = ST_OK;
    if (strcmp(n->registrar_id, r->registrar_id) != 0)
        st = registrar_known(conn, n->registrar_id, outcome);
    return st == ST_OK
               ? store_incident_update(conn, row, next, incident_acknowledge_hours(n->severity))
               : st;
}

static enum status effect(const struct service_call *call, void *row, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    (void)call, (void)row, (void)effect, (void)extra, (void)outcome;
    return ST_INVALID; /* the machine names none */
}

const struct service_kind service_incident_kind = {
    .type = "incident",
    .machine = &incident_machine,
    .edit_action = INCIDENT_ACT_EDIT,
    .row_size = sizeof(struct incident_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .ruled_out_for = ruled_out_for,
    .confidential = confidential,
    .concerns = concerns,
    .owner = owner,
    .move = move,
    .effect = effect,
    .save = save,
    .list = store_incident_list,
};

struct create {
    const struct service_call *call;
    const struct incident_row *in;
    struct incident_row *out;
    struct service_outcome *outcome;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    enum status st = registrar_known(conn, c->in->registrar_id, c->outcome);
    if (st == ST_OK)
        st =
            store_incident_insert(conn, c->in, incident_acknowledge_hours(c->in->severity), c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_incident_kind, "report", c->out)
                       : st;
}

enum status service_incident_create(const struct service_call *call, const struct incident_row *in,
                                    struct incident_row *out, struct service_outcome *outcome)
{
    struct create c = {call, in, out, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

/* The incident, as the caller may see it (another registrar's is absent). */
static enum status load_seen(const struct service_call *call, const char *id, bool lock,
                             struct incident_row *row)
{
    enum status st = store_incident_get(call->conn, id, lock, row);
    if (st == ST_OK && call->registrar_id != NULL && strcmp(row->registrar_id, call->registrar_id))
        st = ST_NOT_FOUND;
    return st;
}

struct post {
    const struct service_call *call;
    const char *incident_id;
    const char *body;
    struct incident_update_row *out;
    struct service_outcome *outcome;
};

static enum status post_tx(PGconn *conn, void *arg)
{
    struct post *p = arg;
    struct incident_row row = {0};
    enum status st = load_seen(p->call, p->incident_id, true, &row);
    if (st == ST_OK && row.status == INCIDENT_CLOSED) {
        snprintf(p->outcome->current, sizeof p->outcome->current, "%s",
                 incident_status_name(row.status));
        st = ST_INVALID_STATE;
    }
    if (st == ST_OK)
        st = store_incident_update_insert(conn, row.id, p->call->registrar_id, p->body, p->out);
    if (st == ST_OK) {
        json_t *changes = json_pack("{s:s, s:s}", "update_id", p->out->id, "body", p->body);
        struct audit_entry e = {.action = "post-update",
                                .resource_type = service_incident_kind.type,
                                .resource_id = row.id,
                                .changes = changes,
                                .personal = personal_fields,
                                .registrar_id = concerns(&row),
                                .confidential = confidential(&row)};
        st = service_record(p->call, &e);
        json_decref(changes);
    }
    incident_row_cleanup(&row);
    return st;
}

enum status service_incident_post_update(const struct service_call *call, const char *incident_id,
                                         const char *body, struct incident_update_row *out,
                                         struct service_outcome *outcome)
{
    struct post p = {call, incident_id, body, out, outcome};
    return service_run(call, DB_READ_COMMITTED, post_tx, &p);
}

enum status service_incident_updates(const struct service_call *call, const char *incident_id,
                                     struct incident_update_row **rows, int *count)
{
    *rows = NULL;
    *count = 0;
    return store_incident_updates(call->conn, incident_id, SERVICE_INCIDENT_UPDATES_MAX, rows,
                                  count);
}
