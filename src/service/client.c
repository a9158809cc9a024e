/* API clients' use cases (service_client.h), each one transaction on the
 * caller's connection. */
#include "service_client.h"

#include "store_audit.h"

struct create {
    const struct service_call *call;
    const char *name, *role, *registrar_id, *secret_hash;
    struct client *out;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    return store_client_create(conn, c->name, c->role, c->registrar_id, c->secret_hash,
                               &c->call->actor, c->out);
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

static enum status revoke_tx(PGconn *conn, void *arg)
{
    struct revoke *r = arg;
    return store_client_revoke(conn, r->client_id, r->registrar_id, &r->call->actor);
}

enum status service_client_revoke(const struct service_call *call, const char *client_id,
                                  const char *registrar_id)
{
    struct revoke r = {call, client_id, registrar_id};
    return service_run(call, DB_READ_COMMITTED, revoke_tx, &r);
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
