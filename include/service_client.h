/* API clients' use cases: create (at most five active per registrar), revoke,
 * list; and the audit log's list, which staff read the same way. */
#ifndef PARCERIA_SERVICE_CLIENT_H
#define PARCERIA_SERVICE_CLIENT_H

#include "service.h"
#include "store_client.h"

#define SERVICE_CLIENT_LIMIT_PER_REGISTRAR 5

/* Creates a client with the given secret hash (registrar_id NULL for admin
 * and staff clients): ST_LIMIT at five active, ST_NOT_FOUND for a missing or
 * terminated registrar, ST_FORBIDDEN when a suspended registrar asks itself. */
enum status service_client_create(const struct service_call *call, const char *name,
                                  const char *role, const char *registrar_id,
                                  const char *secret_hash, struct client *out) WARN_UNUSED;
/* The same inside the caller's transaction (an effect of another use case). */
enum status service_client_add(const struct service_call *call, const char *name, const char *role,
                               const char *registrar_id, const char *secret_hash,
                               struct client *out) WARN_UNUSED;
/* At start-up: with no active admin client, creates (or re-activates) the
 * bootstrap admin client; *created when it did. */
enum status service_client_bootstrap(PGconn *conn, const char *client_id, const char *secret_hash,
                                     bool *created) WARN_UNUSED;
/* Revokes a client (registrar_id: only if it is that registrar's). */
enum status service_client_revoke(const struct service_call *call, const char *client_id,
                                  const char *registrar_id) WARN_UNUSED;
/* Pages of clients (rows: struct client) and of audit events (struct audit_row). */
enum status service_client_list(const struct service_call *call, const struct page_query *q,
                                struct page_result *out) WARN_UNUSED;
enum status service_client_audit_list(const struct service_call *call, const struct page_query *q,
                                      struct page_result *out) WARN_UNUSED;

#endif
