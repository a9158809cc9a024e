/* Registrars as a kind for the generic runner: their machine, their store
 * functions, and the effect of termination (every API client revoked, each
 * with its audit event, in the same transaction). */
#include "service_registrar.h"

#include "store_audit.h"
#include "store_client.h"
#include "store_registrar.h"
#include "util.h"

static const char *const personal_fields[] = {"name", "email", "phone", NULL};

SERVICE_ROW_ACCESSORS(struct registrar_row, registrar_row_cleanup, store_registrar_get)

/* A change of a registrar's record concerns that registrar. */
static const char *concerns(const void *row)
{
    return row_id(row);
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason; /* kept in the audit event */
    return store_registrar_move(conn, row, registrar_status_name(to));
}

static enum status revoke_clients(const struct service_call *call, const struct registrar_row *row)
{
    char **ids = NULL;
    int count = 0;
    enum status st = store_client_revoke_registrar(call->conn, row->id, &ids, &count);
    for (int i = 0; st == ST_OK && i < count; i++) {
        struct audit_entry e = {.action = "revoke",
                                .resource_type = "api_client",
                                .resource_id = ids[i],
                                .from_status = "active",
                                .to_status = "revoked",
                                .reason = "registrar terminated"};
        st = service_record(call, &e);
    }
    util_strv_free(ids);
    return st;
}

static enum status effect(const struct service_call *call, void *row, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    (void)extra;
    (void)outcome;
    return effect == REGISTRAR_EFFECT_REVOKE_CLIENTS ? revoke_clients(call, row) : ST_INVALID;
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    (void)outcome;
    return store_registrar_update(conn, row, ((const struct registrar_row *)next)->fields);
}

long long service_registrar_directory_version(const struct store_state *state)
{
    return state->directory;
}

const struct service_kind service_registrar_kind = {
    .type = "registrar",
    .machine = &registrar_machine,
    .edit_action = REGISTRAR_ACT_EDIT,
    .row_size = sizeof(struct registrar_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .concerns = concerns,
    .move = move,
    .effect = effect,
    .save = save,
    .list = store_registrar_list,
};
