/* Authentication and the role rule: verifies the bearer token (when one is
 * sent, and always on routes that need one), fills ctx->who, refuses callers
 * whose role the route does not admit, and applies the per-client rate
 * limit. The "own data" rule lives here too, so every handler applies it
 * the same way. */
#ifndef PARCERIA_AUTH_H
#define PARCERIA_AUTH_H

#include "api.h"
#include "store_state.h"

/* Returns true when the caller may go on; otherwise has answered 401, 403,
 * 429 or 503. */
bool auth_authorize(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    unsigned roles);

/* The state kept answers rest on (store_state.h), read by a flight after
 * this request arrived, with the caller's credential checked in the same
 * round trip when it is pending (ST_REVOKED when it no longer stands; the
 * answer is then replaced by auth_settle). Takes no connection of the
 * request's own. */
enum status auth_state(struct req_ctx *ctx, struct store_state *out) WARN_UNUSED;

/* Sets the pending credential check as a guard on the connection the request
 * just took (api_conn), unless a flight settled it. */
void auth_guard_conn(struct req_ctx *ctx);

/* After the handler: when a token of ours was let through on its check,
 * reads its verdict (asking a flight now if no statement carried it) and,
 * unless the credential stands, replaces the answer with 401 (revoked) or
 * 503. Records the request either way. Returns rc or the new callback code. */
int auth_settle(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                int rc);

/* True when the caller may see a registrar's private data: staff, admin, or
 * that registrar itself. Handlers answer 404 otherwise, so existence does
 * not leak. */
bool auth_owns_registrar(const struct req_ctx *ctx, const char *registrar_id);

/* For a registrar caller: answers 403 registrar-suspended (and returns
 * false) when its registrar is suspended. Program, voucher and event actions
 * and new API clients call this; other roles pass. */
bool auth_registrar_active(struct _u_response *resp, struct req_ctx *ctx);

/* Who the caller is across issuers: the hex SHA-256 of its token's issuer
 * and subject, so an external issuer's subject never shares our subject's
 * rate-limit bucket or idempotency scope. */
void auth_caller_key(const struct req_ctx *ctx, char out[65]);

/* The audit actor for this request (lent strings from ctx). */
struct audit_actor;
void auth_actor(const struct req_ctx *ctx, struct audit_actor *out);

#endif
