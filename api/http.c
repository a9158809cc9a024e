/* The HTTP server: ulfius on libmicrohttpd with poll (a thread per connection
 * by default, or a pool of PARCERIA_THREADS polling threads), the prelude every request passes
 * (request id, language, client address, CORS, query parsing, body limit, OPTIONS), the fallback
 * that answers 404 or 405 from the route table, and a graceful stop. */
#include "api.h"

#include "auth.h"
#include "door.h"
#include "log.h"
#include "metrics.h"
#include "pagecache.h"
#include "problem.h"
#include "query.h"
#include "schema.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yder.h>

enum priority { PRIORITY_PRELUDE = 0, PRIORITY_HANDLER = 5, PRIORITY_FALLBACK = 9 };

/* How long a stop waits for the requests in flight: with the exit's own
 * work, under the 10 s a deployment's stop grace period must exceed
 * (docs/operations.md, "Stopping"). A handler still running then (past its
 * database deadline only) delays the exit until it returns. */
#define DRAIN_WAIT_MS 8000
#define QUIET_MS 100
/* Connections a thread may hold. libmicrohttpd divides its limit among the
 * threads of a pool, and a connection stays on the thread that accepted it:
 * while some threads are busy in handlers, the free ones accept for all, so
 * each gets the whole limit (the per-address limit bounds any one client). */
#define CONNECTION_LIMIT 1000
#define CONNECTION_MEMORY (32 * 1024)

struct api_server {
    struct _u_instance instance;
    const struct app *app;
    struct sockaddr_in addr;
    atomic_int in_flight;
};

/* The one server of the process, so ctx_free can count in-flight requests. */
static struct api_server *current_server;

static const char EXPOSED_HEADERS[] =
    "ETag, Location, X-Request-Id, Retry-After, RateLimit, RateLimit-Policy, Idempotent-Replayed";

/* A thread's spare request context. A context is large (the caller's
 * principal, the idempotency state), a thread serves one request at a time,
 * and allocating that much afresh for each request made malloc consolidate
 * its free lists each time: each thread keeps its last one, freed when the
 * thread ends. */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_init(void)
{
    if (pthread_key_create(&spare_key, free) != 0)
        abort();
}

static struct req_ctx *ctx_alloc(void)
{
    pthread_once(&spare_once, spare_init);
    struct req_ctx *ctx = pthread_getspecific(spare_key);
    if (ctx == NULL)
        return xcalloc(1, sizeof *ctx);
    pthread_setspecific(spare_key, NULL);
    memset(ctx, 0, sizeof *ctx);
    return ctx;
}

static void ctx_dispose(struct req_ctx *ctx)
{
    sodium_memzero(ctx->idem_secret, sizeof ctx->idem_secret);
    if (pthread_getspecific(spare_key) == NULL)
        pthread_setspecific(spare_key, ctx);
    else
        free(ctx);
}

static void ctx_free(void *data)
{
    struct req_ctx *ctx = data;
    for (size_t i = 0; i < ctx->nparams; i++) {
        free(ctx->params[i].name);
        free(ctx->params[i].value);
    }
    for (size_t i = 0; i < ctx->nquery; i++) {
        free(ctx->query[i].name);
        free(ctx->query[i].value);
    }
    if (ctx->conn != NULL)
        api_conn_release(ctx);
    free(ctx->idem_answer);
    ctx_dispose(ctx);
    if (current_server != NULL)
        atomic_fetch_sub(&current_server->in_flight, 1);
}

struct req_ctx *api_ctx(struct _u_response *resp)
{
    return resp->shared_data;
}

void api_record(const struct req_ctx *ctx, const struct _u_response *resp)
{
    uint64_t us = (util_now_ns() - ctx->started_ns) / 1000;
    log_request(ctx->method, ctx->route, (int)resp->status, us, ctx->request_id);
    metrics_record(ctx->method, ctx->route, (unsigned)resp->status, us);
}

void api_finish(struct req_ctx *ctx, const struct _u_response *resp)
{
    if (ctx->finished)
        return;
    ctx->finished = true;
    if (!ctx->credential_pending)
        api_record(ctx, resp);
}

enum status api_conn(struct req_ctx *ctx, PGconn **out)
{
    if (ctx->conn != NULL) {
        *out = ctx->conn;
        return ST_OK;
    }
    enum status st = db_acquire(ctx->app->pool, &ctx->conn);
    if (st == ST_OK)
        auth_guard_conn(ctx); /* a token's pending check travels with its first statement */
    *out = ctx->conn;
    return st;
}

void api_conn_release(struct req_ctx *ctx)
{
    db_release(ctx->app->pool, ctx->conn);
    ctx->conn = NULL;
}

json_t *api_json_text(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

void api_set_json(struct _u_response *resp, unsigned status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    ulfius_set_string_body_response(resp, status, text);
    free(text);
    u_map_put(resp->map_header, "Content-Type", "application/json");
}

int api_send_json(struct _u_response *resp, struct req_ctx *ctx, unsigned status, json_t *body)
{
    api_set_json(resp, status, body);
    api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

int api_send_page(struct _u_response *resp, struct req_ctx *ctx, json_t *items, const char *next,
                  bool with_total, long long total)
{
    json_t *body = json_pack("{s:o, s:s?}", "items", items, "next_cursor", next);
    if (json_object_get(body, "next_cursor") == NULL)
        json_object_set_new(body, "next_cursor", json_null());
    if (with_total)
        json_object_set_new(body, "total", json_integer(total));
    return api_send_json(resp, ctx, 200, body);
}

int api_send_text(struct _u_response *resp, struct req_ctx *ctx, unsigned status,
                  const char *content_type, const char *body, size_t len)
{
    ulfius_set_binary_body_response(resp, status, body, len);
    u_map_put(resp->map_header, "Content-Type", content_type);
    api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

bool api_if_none_match(const struct _u_request *req, const char *etag)
{
    const char *h = u_map_get_case(req->map_header, "If-None-Match");
    size_t n = strlen(etag);
    while (h != NULL && *h != '\0') {
        h += strspn(h, " \t,");
        if (*h == '*')
            return true;
        if (strncmp(h, "W/", 2) == 0) /* If-None-Match compares weakly */
            h += 2;
        if (strncmp(h, etag, n) == 0 && (h[n] == '\0' || strchr(" \t,", h[n]) != NULL))
            return true;
        h = strchr(h, ',');
    }
    return false;
}

void api_cache_public(struct _u_response *resp, unsigned max_age)
{
    char cc[48];
    snprintf(cc, sizeof cc, "public, max-age=%u", max_age);
    u_map_put(resp->map_header, "Cache-Control", cc);
    /* an authenticated caller may be answered otherwise */
    bool origin = u_map_get_case(resp->map_header, "Vary") != NULL;
    u_map_put(resp->map_header, "Vary", origin ? "Origin, Authorization" : "Authorization");
}

int api_send_tagged_as(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                       const char *content_type, const char *body, size_t len, const char *etag)
{
    u_map_put(resp->map_header, "ETag", etag);
    if (api_if_none_match(req, etag))
        return api_send_empty(resp, ctx, 304);
    return api_send_text(resp, ctx, 200, content_type, body, len);
}

int api_send_tagged(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    const char *body, size_t len, const char *etag)
{
    return api_send_tagged_as(req, resp, ctx, "application/json", body, len, etag);
}

void api_body_etag(const char *body, size_t len, char out[API_ETAG_MAX])
{
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
    util_hex(h, sizeof h, hex);
    snprintf(out, API_ETAG_MAX, "\"%s\"", hex);
}

int api_send_empty(struct _u_response *resp, struct req_ctx *ctx, unsigned status)
{
    resp->status = status;
    api_finish(ctx, resp);
    return U_CALLBACK_COMPLETE;
}

bool api_valid_request_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > API_REQUEST_ID_MAX)
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_' || *s == '.' || *s == ':'))
            return false;
    return true;
}

/* True when the highest-weighted language in Accept-Language is Portuguese. */
bool api_prefers_pt(const char *header)
{
    double best = -1;
    bool pt = false;
    const char *p = header;
    while (p != NULL && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        const char *semi = memchr(p, ';', len);
        size_t tag = semi ? (size_t)(semi - p) : len;
        double q = 1.0;
        const char *qp = semi ? strstr(semi, "q=") : NULL;
        if (qp != NULL && qp < p + len)
            q = strtod(qp + 2, NULL);
        if (tag > 0 && q > best) {
            best = q;
            pt = tag >= 2 && strncasecmp(p, "pt", 2) == 0 && (tag == 2 || p[2] == '-');
        }
        p += len;
    }
    return pt;
}

static bool is_trusted(const struct config *cfg, const char *ip)
{
    for (char **t = cfg->trusted_proxies; *t; t++)
        if (strcmp(*t, ip) == 0)
            return true;
    return false;
}

/* The peer's address; behind a trusted proxy, the nearest untrusted address
 * in X-Forwarded-For. */
static void client_address(const struct _u_request *req, const struct config *cfg, char *out,
                           size_t size)
{
    const struct sockaddr_in *sa = (const struct sockaddr_in *)req->client_address;
    if (sa == NULL || inet_ntop(AF_INET, &sa->sin_addr, out, (socklen_t)size) == NULL)
        snprintf(out, size, "unknown");
    const char *xff = u_map_get_case(req->map_header, "X-Forwarded-For");
    if (xff == NULL || !is_trusted(cfg, out))
        return;
    char *copy = xstrdup(xff);
    for (;;) {
        char *comma = strrchr(copy, ',');
        char *item = comma ? comma + 1 : copy;
        while (*item == ' ')
            item++;
        struct in6_addr a;
        if (inet_pton(AF_INET, item, &a) != 1 && inet_pton(AF_INET6, item, &a) != 1)
            break;
        snprintf(out, size, "%s", item);
        if (!is_trusted(cfg, item) || comma == NULL)
            break;
        *comma = '\0';
    }
    free(copy);
}

static void apply_cors(const struct _u_request *req, struct _u_response *resp,
                       const struct config *cfg)
{
    const char *origin = u_map_get_case(req->map_header, "Origin");
    if (origin == NULL)
        return;
    u_map_put(resp->map_header, "Vary", "Origin");
    for (char **o = cfg->cors_origins; *o; o++)
        if (strcmp(*o, origin) == 0) {
            u_map_put(resp->map_header, "Access-Control-Allow-Origin", origin);
            u_map_put(resp->map_header, "Access-Control-Expose-Headers", EXPOSED_HEADERS);
            return;
        }
}

static int answer_options(const struct _u_request *req, struct _u_response *resp,
                          struct req_ctx *ctx)
{
    char allow[128];
    if (!api_allowed_methods(req->url_path, allow, sizeof allow))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    u_map_put(resp->map_header, "Allow", allow);
    if (u_map_get_case(resp->map_header, "Access-Control-Allow-Origin") != NULL) {
        u_map_put(resp->map_header, "Access-Control-Allow-Methods", allow);
        u_map_put(
            resp->map_header, "Access-Control-Allow-Headers",
            "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, X-Request-Id, "
            "Accept-Language");
        u_map_put(resp->map_header, "Access-Control-Max-Age", "600");
    }
    return api_send_empty(resp, ctx, 204);
}

static struct req_ctx *ctx_new(const struct _u_request *req, struct _u_response *resp,
                               const struct app *app)
{
    struct req_ctx *ctx = ctx_alloc();
    ctx->app = app;
    ctx->started_ns = util_now_ns();
    ctx->method = req->http_verb;
    ctx->route = "unmatched";
    const char *rid = u_map_get_case(req->map_header, "X-Request-Id");
    if (api_valid_request_id(rid))
        snprintf(ctx->request_id, sizeof ctx->request_id, "%s", rid);
    else
        util_uuid_v4(ctx->request_id);
    ctx->lang_pt = api_prefers_pt(u_map_get_case(req->map_header, "Accept-Language"));
    client_address(req, app->cfg, ctx->client_ip, sizeof ctx->client_ip);
    resp->shared_data = ctx;
    resp->free_shared_data = ctx_free;
    if (current_server != NULL)
        atomic_fetch_add(&current_server->in_flight, 1);
    return ctx;
}

static void prelude_headers(const struct _u_request *req, struct _u_response *resp,
                            const struct req_ctx *ctx)
{
    u_map_put(resp->map_header, "X-Request-Id", ctx->request_id);
    u_map_put(resp->map_header, "Cache-Control", "no-store");
    apply_cors(req, resp, ctx->app->cfg);
}

void api_reset_answer(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    u_map_clean(resp->map_header);
    u_map_init(resp->map_header);
    ulfius_set_empty_body_response(resp, 200);
    ctx->finished = false;
    prelude_headers(req, resp, ctx);
}

static int prelude(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    const struct app *app = user_data;
    struct req_ctx *ctx = ctx_new(req, resp, app);
    prelude_headers(req, resp, ctx);
    if (req->binary_body_length > app->cfg->max_body_bytes)
        return problem_send(resp, ctx, PROBLEM_PAYLOAD_TOO_LARGE, PROBLEM_NO_DETAIL, NULL);
    const char *q = strchr(req->http_url, '?');
    char *bad = NULL;
    if (!query_parse(q ? q + 1 : NULL, ctx, &bad)) {
        json_t *errors = json_array();
        const char *name = bad && util_valid_utf8(bad, strlen(bad)) ? bad : "?";
        schema_error(errors, NULL, name, api_query(ctx, name) ? ERR_REPEATED : ERR_ENCODING,
                     ctx->lang_pt);
        free(bad);
        return problem_send(resp, ctx, PROBLEM_INVALID_REQUEST,
                            (struct problem_text){"The query string is malformed: see errors.",
                                                  "A query string está mal formada: ver errors."},
                            json_pack("{s:o}", "errors", errors));
    }
    if (strcmp(req->http_verb, "OPTIONS") == 0)
        return answer_options(req, resp, ctx);
    return U_CALLBACK_IGNORE;
}

static int fallback(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
    (void)user_data;
    struct req_ctx *ctx = api_ctx(resp);
    if (ctx == NULL || ctx->finished)
        return U_CALLBACK_COMPLETE;
    char allow[128];
    if (!api_allowed_methods(req->url_path, allow, sizeof allow))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    u_map_put(resp->map_header, "Allow", allow);
    return problem_send(resp, ctx, PROBLEM_METHOD_NOT_ALLOWED, PROBLEM_NO_DETAIL, NULL);
}

static bool add_routes(struct api_server *s)
{
    struct _u_instance *in = &s->instance;
    /* one handler for every route: api_dispatch finds it in the table */
    return ulfius_add_endpoint_by_val(in, "*", NULL, "*", PRIORITY_PRELUDE, prelude,
                                      (void *)s->app) == U_OK &&
           ulfius_add_endpoint_by_val(in, "*", NULL, "*", PRIORITY_HANDLER, api_dispatch, NULL) ==
               U_OK &&
           ulfius_add_endpoint_by_val(in, "*", NULL, "*", PRIORITY_FALLBACK, fallback, NULL) ==
               U_OK;
}

static void server_free(struct api_server *s)
{
    ulfius_clean_instance(&s->instance);
    free(s);
}

struct api_server *api_server_start(const struct app *app)
{
    const struct config *cfg = app->cfg;
    struct api_server *s = xcalloc(1, sizeof *s);
    s->app = app;
    s->addr.sin_family = AF_INET;
    s->addr.sin_port = htons((uint16_t)app->cfg->port);
    inet_pton(AF_INET, app->cfg->bind_address, &s->addr.sin_addr);
    if (ulfius_init_instance(&s->instance, app->cfg->port, NULL, NULL) != U_OK) {
        free(s);
        return NULL;
    }
    /* ulfius truncates a body at the limit: one byte more lets the prelude see it and say 413. */
    s->instance.max_post_body_size = app->cfg->max_body_bytes + 1;
    s->instance.allowed_post_processor = U_POST_PROCESS_NONE;
    current_server = s;
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)door_request_completed, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)door_notify_connection, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)door_uri_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &s->addr},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)app->cfg->threads, NULL},
        /* a backstop: the door's deadlines come first */
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)(cfg->request_timeout_ms / 1000 + 1), NULL},
        {MHD_OPTION_CONNECTION_LIMIT,
         (intptr_t)CONNECTION_LIMIT * (app->cfg->threads > 0 ? app->cfg->threads : 1), NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)cfg->connections_per_address, NULL},
        /* room for a request line and headers the door can still answer;
         * libmicrohttpd zeroes all of it between two requests of a
         * connection, so it stays small (at 128 KiB the memset was 7% of a
         * kept GET's server CPU) */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    /* poll, not epoll: libmicrohttpd 0.9.75's edge-triggered epoll misses the
     * close of a peer whose request and FIN were both queued before the first
     * read, and holds the slot until the timeout. poll reports the close.
     * PARCERIA_THREADS=0: a thread per connection, so a handler waiting on the
     * database (up to its deadline) holds up no other connection. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     (app->cfg->threads == 0 ? MHD_USE_THREAD_PER_CONNECTION : 0);
    door_open(cfg);
    if (!add_routes(s) ||
        ulfius_start_framework_with_mhd_options(&s->instance, flags, ops) != U_OK) {
        y_log_message(Y_LOG_LEVEL_ERROR, "cannot listen on %s:%u", app->cfg->bind_address,
                      app->cfg->port);
        current_server = NULL;
        server_free(s);
        door_close();
        return NULL;
    }
    return s;
}

void api_server_stop(struct api_server *s)
{
    if (s == NULL)
        return;
    /* Stop accepting, serve the connections already queued on the listening
     * socket, and close it: later ones are refused (a proxy sends them to
     * another replica) instead of waiting in the queue to be reset at exit.
     * Then wait until every request under way or already sent is answered,
     * quiet for QUIET_MS in a row (a connection the daemon accepted just
     * before, or a request read but not yet handled, shows up meanwhile). */
    door_quiesce(); /* from now on every answer closes its connection */
    MHD_socket fd = MHD_quiesce_daemon(s->instance.mhd_daemon);
    int queued = 0, waited = 0, accept_errno = 0;
    if (fd != MHD_INVALID_SOCKET) {
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); /* the loop ends when empty */
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int c;
        while ((c = accept4(fd, (struct sockaddr *)&addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
               0) {
            (void)MHD_add_connection(s->instance.mhd_daemon, c, (struct sockaddr *)&addr, len);
            len = sizeof addr; /* MHD owns c now, and closes it even on failure */
            queued++;
        }
        accept_errno = errno; /* EAGAIN: the queue is empty */
        /* Shut, not closed: the daemon's threads may still look at the
         * descriptor until it stops (libmicrohttpd's rule for a quiesced
         * listener); a shut listener refuses new connections at once. */
        shutdown(fd, SHUT_RDWR);
    }
    for (int quiet = 0; quiet < QUIET_MS && waited < DRAIN_WAIT_MS; waited += 10) {
        quiet = atomic_load(&s->in_flight) == 0 && door_quiet() ? quiet + 10 : 0;
        if (quiet < QUIET_MS)
            usleep(10000);
    }
    y_log_message(waited < DRAIN_WAIT_MS ? Y_LOG_LEVEL_INFO : Y_LOG_LEVEL_WARNING,
                  "listener closed (%d queued connections served, then %s); %s after %d ms", queued,
                  strerror(accept_errno),
                  waited < DRAIN_WAIT_MS ? "requests drained" : "still busy, closing", waited);
    ulfius_stop_framework(&s->instance);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    current_server = NULL;
    server_free(s);
    pagecache_clear();
    door_close();
}
