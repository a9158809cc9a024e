/* What every HTTP handler shares: the per-request context kept in the
 * response's shared data, the route table's shape, and the answer helpers.
 * A handler reads input through body.h and query.h, calls one service, and
 * answers with api_send_json or problem_send; it never touches SQL or JWT. */
#ifndef PARCERIA_API_H
#define PARCERIA_API_H

#include "config.h"
#include "db.h"
#include "db_flight.h"
#include "principal.h"
#include "ratelimit.h"
#include "token.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <ulfius.h>

#define API_MAX_PARAMS 4
#define API_MAX_QUERY 24
#define API_REQUEST_ID_MAX 128

/* Shared, read-only service state. */
struct app {
    const struct config *cfg;
    struct db_pool *pool;
    const struct token_keyring *keyring;
    struct ratelimit *limiter; /* per-client buckets of this replica (thread-safe) */
    /* Reads of the state kept answers rest on (store_state.h), one round
     * trip for the requests that wait for it at once (auth_state). */
    struct db_flight *state;
};

struct api_pair {
    char *name;
    char *value;
};

struct req_ctx {
    const struct app *app;
    struct principal who;
    char request_id[API_REQUEST_ID_MAX + 1];
    uint64_t started_ns;
    bool lang_pt; /* Accept-Language prefers Portuguese */
    const char *method;
    const char *route; /* the matched template, or "unmatched" */
    char client_ip[64];
    size_t nparams;
    struct api_pair params[API_MAX_PARAMS]; /* path parameters, strictly parsed */
    size_t nquery;
    struct api_pair query[API_MAX_QUERY]; /* query parameters, decoded */
    bool finished;
    /* A token of ours is let through on a check whose verdict auth_settle
     * reads after the handler: until then api_finish records nothing. The
     * check is a flight's (auth_state), which settles it, or else a guard on
     * the request's connection, set when the connection is taken. */
    bool credential_pending;
    bool credential_settled;        /* by a flight: its verdict is below */
    enum status credential_verdict; /* ST_OK, ST_REVOKED or a failure */
    const struct route *entry;      /* the matched route, or NULL */
    /* The request's one database connection, taken on first use (auth,
     * guards, the handler's service call) and given back when the handler
     * is done. Opaque here: api/ hands it on and calls no libpq function. */
    PGconn *conn;
    /* Set by the idempotency guard when this request owns an Idempotency-Key. */
    bool idem_owned;
    char idem_scope[300];
    char idem_path[512]; /* the concrete path: a key is scoped to it */
    char idem_key_hash[65];
    char idem_request_hash[65];
    unsigned char idem_secret[32]; /* encrypts the stored answer; derived from the key */
    bool idem_recorded;            /* the answer was stored inside the change's transaction */
    void *idem_answer;             /* the kit's before-commit answer (owned) */
};

typedef int (*api_handler)(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx);

struct resource;

struct route {
    const char *method;
    const char *path; /* template: /v1/things/{id} */
    api_handler handler;
    unsigned roles;                  /* ROLE_PUBLIC or a set of enum api_role bits */
    const char *const *query;        /* accepted query keys, NULL-terminated; NULL: none */
    unsigned flags;                  /* ROUTE_* */
    const struct resource *resource; /* for the kit's handlers (resource.h), else NULL */
};

/* The route does not take Idempotency-Key (the OAuth token endpoint). */
#define ROUTE_NO_IDEMPOTENCY 1u
/* The route ignores bearer tokens altogether (service endpoints and the
 * token endpoint), so a stale token in a client's headers cannot break it. */
#define ROUTE_NO_AUTH 2u

/* The route table (api/routes.c), ending with a NULL method. */
extern const struct route api_routes[];

/* The request context of this request (lent). */
struct req_ctx *api_ctx(struct _u_response *resp);

/* Path parameter by name (lent), or NULL. */
const char *api_param(const struct req_ctx *ctx, const char *name);
/* Query parameter by name (lent), or NULL. */
const char *api_query(const struct req_ctx *ctx, const char *name);

/* The request's database connection (taken from the pool on first use).
 * ST_UNAVAILABLE when none is free within the wait bound. */
enum status api_conn(struct req_ctx *ctx, PGconn **out) WARN_UNUSED;
/* Gives the request's connection back to the pool (idempotent). */
void api_conn_release(struct req_ctx *ctx);

/* Sets status and body (JSON, reference taken) without finishing the
 * request, for answers rendered inside a transaction. */
void api_set_json(struct _u_response *resp, unsigned status, json_t *body);
/* A text member of an answer: the string, or null when s is NULL or empty
 * (a new reference). */
json_t *api_json_text(const char *s);
/* Answers status with body as JSON; takes the reference to body. Returns
 * U_CALLBACK_COMPLETE so a handler can `return api_send_json(...)`. */
int api_send_json(struct _u_response *resp, struct req_ctx *ctx, unsigned status, json_t *body);
/* Answers status with a text body of the given content type (copied). */
int api_send_text(struct _u_response *resp, struct req_ctx *ctx, unsigned status,
                  const char *content_type, const char *body, size_t len);
/* Answers a list page: {"items": items, "next_cursor": next|null[, "total": n]}.
 * Takes items; next may be NULL. */
int api_send_page(struct _u_response *resp, struct req_ctx *ctx, json_t *items, const char *next,
                  bool with_total, long long total);
/* True when the request's If-None-Match names etag (weakly) or is "*". */
bool api_if_none_match(const struct _u_request *req, const char *etag);
/* Makes the answer cacheable by anyone for max_age seconds (instead of the
 * prelude's no-store), varying by Authorization. For anonymous reads only. */
void api_cache_public(struct _u_response *resp, unsigned max_age);
/* Answers a JSON text (copied) with its ETag, or 304 Not Modified without a
 * body when If-None-Match names that ETag. */
int api_send_tagged(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    const char *body, size_t len, const char *etag);
/* The same for a text of another content type. */
int api_send_tagged_as(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                       const char *content_type, const char *body, size_t len, const char *etag);
#define API_ETAG_MAX 48
/* A strong validator of a body: a quoted hash of its bytes. */
void api_body_etag(const char *body, size_t len, char out[API_ETAG_MAX]);
/* Answers 204 No Content. */
int api_send_empty(struct _u_response *resp, struct req_ctx *ctx, unsigned status);

/* Logs the request line once and marks the context finished. */
void api_finish(struct req_ctx *ctx, const struct _u_response *resp);
/* Logs the answered request and counts it in the metrics (api_finish does it
 * unless the credential is pending). */
void api_record(const struct req_ctx *ctx, const struct _u_response *resp);
/* Forgets the answer set so far (headers and body) and sets the prelude's
 * headers again, so another answer can be sent. */
void api_reset_answer(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
/* True when an X-Request-Id value may be kept (short, plain characters). */
bool api_valid_request_id(const char *s);
/* True when Accept-Language's highest-weighted language is Portuguese. */
bool api_prefers_pt(const char *header);

/* Matches a concrete path against a template, filling ctx's path parameters
 * when ctx is not NULL. Percent-encoded segments are decoded; a decoded '/'
 * or an invalid segment never matches. */
bool api_route_match(const char *tmpl, const char *path, struct req_ctx *ctx);
/* Writes the methods the route table allows on path, comma-separated, into
 * out; returns false when no route has that path. */
bool api_allowed_methods(const char *path, char *out, size_t size);

/* Prints the route table, a route a line, tab-separated: method, path, the
 * roles that may call it as the auth rule applies them (comma-separated
 * names, admin wherever staff is; "public" for none needed), and flags
 * ("no-auth", "no-idempotency", or "-"). Roles no route serves yet are listed
 * on a first line "# served: …". */
void api_routes_print(FILE *out);

/* The route of the table for method (HEAD: GET's) and path, the first in
 * the table's order whose template matches; fills ctx's path parameters when
 * ctx is not NULL. NULL: none (the fallback answers 404 or 405). */
const struct route *api_route_find(const char *method, const char *path, struct req_ctx *ctx);

/* The ulfius callback for every request: finds its route (api_route_find)
 * and runs it: query keys, the bearer token and roles, idempotency, the
 * handler. */
int api_dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data);

/* Server life cycle (api/http.c). */
struct api_server;
struct api_server *api_server_start(const struct app *app);
void api_server_stop(struct api_server *server);

#endif
