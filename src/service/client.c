/* API clients' use cases (service_client.h), each one transaction on the
 * caller's connection. The registrar's row is locked while its clients are
 * counted, so the limit holds under concurrent creations. */
#include "service_client.h"

#include "registrar.h"
#include "store_audit.h"
#include "store_registrar.h"

#include <sodium.h>
#include <string.h>

/* "pc_" and 20 random lowercase letters and digits (about 103 bits). */
static void new_client_id(char out[24])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    memcpy(out, "pc_", 3);
    for (int i = 0; i < 20; i++)
        out[3 + i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[23] = '\0';
}

/* Locks the registrar and checks it may have one more client. A suspended
 * registrar may not add clients itself; admin still may. */
static enum status registrar_room(const struct service_call *call, const char *registrar_id)
{
    struct registrar_row r = {0};
    enum status st = store_registrar_get(call->conn, registrar_id, true, &r);
    if (st == ST_OK && r.status == REGISTRAR_TERMINATED)
        st = ST_NOT_FOUND;
    else if (st == ST_OK && r.status == REGISTRAR_SUSPENDED && call->actor.registrar_id != NULL)
        st = ST_FORBIDDEN;
    registrar_row_cleanup(&r);
    int active = 0;
    if (st == ST_OK)
        st = store_client_count_active(call->conn, registrar_id, &active);
    return st == ST_OK && active >= SERVICE_CLIENT_LIMIT_PER_REGISTRAR ? ST_LIMIT : st;
}

enum status service_client_add(const struct service_call *call, const char *name, const char *role,
                               const char *registrar_id, const char *secret_hash,
                               struct client *out)
{
    char id[24];
    enum status st = registrar_id != NULL ? registrar_room(call, registrar_id) : ST_OK;
    if (st != ST_OK)
        return st;
    new_client_id(id);
    struct client_new c = {id, name, role, registrar_id, secret_hash, call->actor.sub};
    if ((st = store_client_insert(call->conn, &c, out)) != ST_OK)
        return st;
    json_t *changes =
        json_pack("{s:s, s:s, s:s?}", "name", name, "role", role, "registrar_id", registrar_id);
    struct audit_entry e = {.action = "create",
                            .resource_type = "api_client",
                            .resource_id = out->client_id,
                            .to_status = "active",
                            .changes = changes};
    st = service_record(call, &e);
    json_decref(changes);
    return st;
}

struct create {
    const struct service_call *call;
    const char *name, *role, *registrar_id, *secret_hash;
    struct client *out;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    (void)conn;
    struct create *c = arg;
    return service_client_add(c->call, c->name, c->role, c->registrar_id, c->secret_hash, c->out);
}

enum status service_client_create(const struct service_call *call, const char *name,
                                  const char *role, const char *registrar_id,
                                  const char *secret_hash, struct client *out)
{
    struct create c = {call, name, role, registrar_id, secret_hash, out};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

struct revoke {
    const struct service_call *call;
    const char *client_id, *registrar_id;
};

/* Revoking a revoked client repeats a completed action: fine. Unknown: 404. */
static enum status revoke_tx(PGconn *conn, void *arg)
{
    struct revoke *r = arg;
    bool changed = false, found = false;
    enum status st = store_client_set_revoked(conn, r->client_id, r->registrar_id, &changed);
    if (st == ST_OK && !changed) {
        st = store_client_exists(conn, r->client_id, r->registrar_id, &found);
        return st == ST_OK && !found ? ST_NOT_FOUND : st;
    }
    struct audit_entry e = {.action = "revoke",
                            .resource_type = "api_client",
                            .resource_id = r->client_id,
                            .from_status = "active",
                            .to_status = "revoked"};
    return st == ST_OK ? service_record(r->call, &e) : st;
}

enum status service_client_revoke(const struct service_call *call, const char *client_id,
                                  const char *registrar_id)
{
    struct revoke r = {call, client_id, registrar_id};
    return service_run(call, DB_READ_COMMITTED, revoke_tx, &r);
}

struct bootstrap {
    const char *client_id, *secret_hash;
    bool *created;
};

static enum status bootstrap_tx(PGconn *conn, void *arg)
{
    struct bootstrap *b = arg;
    bool has_admin = false;
    enum status st = store_client_has_active_admin(conn, &has_admin);
    if (st != ST_OK || has_admin)
        return st;
    st = store_client_bootstrap(conn, b->client_id, b->secret_hash, b->created);
    if (st != ST_OK || !*b->created)
        return st;
    struct audit_actor system = {.sub = "system", .role = "admin", .request_id = "bootstrap"};
    struct audit_entry e = {.action = "create",
                            .resource_type = "api_client",
                            .resource_id = b->client_id,
                            .to_status = "active"};
    return store_audit_record(conn, &system, &e);
}

enum status service_client_bootstrap(PGconn *conn, const char *client_id, const char *secret_hash,
                                     bool *created)
{
    struct bootstrap b = {client_id, secret_hash, created};
    *created = false;
    return db_tx(conn, NULL, bootstrap_tx, &b);
}

enum status service_client_list(const struct service_call *call, const struct page_query *q,
                                struct page_result *out)
{
    return store_client_list(call->conn, q, out);
}

enum status service_client_audit_list(const struct service_call *call, const struct page_query *q,
                                      struct page_result *out)
{
    return store_audit_list(call->conn, q, out);
}
