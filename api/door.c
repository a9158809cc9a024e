/* The front door: every connection from accept to close, and the access
 * handler's first call. ulfius owns libmicrohttpd's access handler (its
 * dispatcher is static), so MHD_start_daemon is wrapped here to put door_access
 * in front of it: that is the only place where a request can be answered
 * after its headers and before its body, which is what keeps `100 Continue`
 * from being sent for a body that will be refused. A reaper thread shuts down
 * the sockets of connections that miss a deadline; libmicrohttpd then sees
 * the close on its own thread and frees the slot. The request line is checked
 * as soon as it is in (door_uri_log), and libmicrohttpd's own error answers
 * become problem+json (MHD_queue_response, wrapped the same way). */
#include "door.h"

#include "api.h"
#include "log.h"
#include "metrics.h"
#include "problem.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define REAP_EVERY_MS 100
#define BODY_GRACE_NS 1000000000ull /* a body may start slowly for a second */

enum phase {
    PHASE_WAITING, /* for a request's headers: a new or kept-alive connection */
    PHASE_BODY,    /* headers in, the body arriving */
    PHASE_HANDLING,
    PHASE_SENDING,
};

/* What the request line alone shows to be refused. */
enum refusal { REFUSE_NONE, REFUSE_TARGET, REFUSE_QUERY };

/* A thread of libmicrohttpd's pool, as the reaper sees it: whether it is
 * running an application handler, and since when it has been free. While
 * it is busy, its other connections wait on the server, not on their
 * clients, so no client deadline runs against them. */
struct door_thread {
    _Atomic bool busy;
    _Atomic uint64_t free_since_ns;
};
static _Thread_local struct door_thread this_thread;

struct conn {
    struct conn *prev, *next;
    const struct door_thread *thread; /* the one that serves this connection */
    int fd;
    enum phase phase;
    uint64_t since_ns;   /* the phase began */
    uint64_t request_ns; /* the connection began to wait for this request */
    uint64_t body_bytes;
    bool in_request; /* the access handler was called for the current request */
    bool in_line;    /* its request line is in (its headers may still be arriving) */
    bool cut;
    enum refusal refusal; /* found in the request line, answered on the first call */
};

/* A daemon's own access handler and argument, which door_access calls on. */
struct inner {
    MHD_AccessHandlerCallback dh;
    void *cls;
};

/* True while this thread runs the access handler: an answer queued then is
 * the application's, any other is libmicrohttpd's own. */
static _Thread_local bool in_handler;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t reaper;
    bool running, stop;
    struct conn *head;
    uint64_t max_body, header_ns, request_ns, min_rate;
    struct inner inners[4];
    size_t ninners;
} door = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static _Atomic bool quiescing; /* door_quiesce was called */

/* Whether a whole header block waits unread in the socket: the client sent
 * its request in time, and the server has not read it yet (a thread of the
 * pool busy with another connection's request). Not the client's delay. */
static bool headers_waiting(int fd)
{
    char buf[16384];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
    return n > 0 && memmem(buf, (size_t)n, "\r\n\r\n", 4) != NULL;
}

/* Whether some of a body waits unread in the socket: the client sent it,
 * and the server has not read it yet (the connection's pool thread busy
 * with another request, behind a lock). Not the client's slowness. */
static bool body_waiting(int fd)
{
    char byte;
    return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

static bool late(const struct conn *c, uint64_t now)
{
    uint64_t start = c->since_ns;
    if (c->thread != NULL && (c->phase == PHASE_WAITING || c->phase == PHASE_BODY)) {
        if (atomic_load(&c->thread->busy))
            return false; /* the server's delay: the thread has not read it yet */
        uint64_t free_since = atomic_load(&c->thread->free_since_ns);
        if (free_since > start)
            start = free_since; /* the client's time runs from when it could be read */
    }
    uint64_t age = now - start;
    switch (c->phase) {
    case PHASE_WAITING:
        return age > door.header_ns && !headers_waiting(c->fd);
    case PHASE_BODY:
        if (now - c->request_ns > door.request_ns)
            return true;
        /* on average at least min_rate bytes a second, after the grace */
        return age > BODY_GRACE_NS &&
               c->body_bytes * 1000000000ull < door.min_rate * (age - BODY_GRACE_NS) &&
               !body_waiting(c->fd);
    case PHASE_SENDING:
        return now - c->request_ns > door.request_ns;
    default:
        return false; /* the handler's own deadlines apply */
    }
}

static void *reap(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&door.lock);
    while (!door.stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += REAP_EVERY_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&door.wake, &door.lock, &ts);
        uint64_t now = util_now_ns();
        /* The fd stays open while its entry is listed: libmicrohttpd
         * notifies the close before it closes the socket. */
        for (struct conn *c = door.head; c != NULL; c = c->next)
            if (!c->cut && late(c, now)) {
                c->cut = true;
                shutdown(c->fd, SHUT_RDWR);
            }
    }
    pthread_mutex_unlock(&door.lock);
    return NULL;
}

void door_open(const struct config *cfg)
{
    door.max_body = cfg->max_body_bytes;
    door.header_ns = (uint64_t)cfg->header_timeout_ms * 1000000ull;
    door.request_ns = (uint64_t)cfg->request_timeout_ms * 1000000ull;
    door.min_rate = cfg->body_min_rate;
    door.stop = false;
    atomic_store(&quiescing, false);
    door.running = pthread_create(&door.reaper, NULL, reap, NULL) == 0;
    if (!door.running)
        abort();
}

void door_close(void)
{
    if (!door.running)
        return;
    pthread_mutex_lock(&door.lock);
    door.stop = true;
    pthread_cond_signal(&door.wake);
    pthread_mutex_unlock(&door.lock);
    pthread_join(door.reaper, NULL);
    door.running = false;
    door.ninners = 0;
}

void door_quiesce(void)
{
    atomic_store(&quiescing, true);
}

static void set_phase(struct conn *c, enum phase p)
{
    pthread_mutex_lock(&door.lock);
    c->phase = p;
    c->since_ns = util_now_ns();
    if (p == PHASE_WAITING) {
        c->request_ns = c->since_ns;
        c->in_request = false;
        c->in_line = false;
        c->body_bytes = 0;
        c->refusal = REFUSE_NONE;
    }
    pthread_mutex_unlock(&door.lock);
}

void door_notify_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn *c = xcalloc(1, sizeof *c);
        c->fd = fd ? fd->connect_fd : -1;
        c->thread = &this_thread; /* a connection stays on the thread that accepted it */
        c->since_ns = c->request_ns = util_now_ns();
        pthread_mutex_lock(&door.lock);
        c->next = door.head;
        if (door.head != NULL)
            door.head->prev = c;
        door.head = c;
        pthread_mutex_unlock(&door.lock);
        *socket_context = c;
        return;
    }
    struct conn *c = *socket_context;
    if (c == NULL)
        return;
    pthread_mutex_lock(&door.lock);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        door.head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&door.lock);
    free(c);
    *socket_context = NULL;
}

void door_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    mhd_request_completed(cls, connection, con_cls, toe);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info != NULL && info->socket_context != NULL)
        set_phase(info->socket_context, PHASE_WAITING);
}

/* The body of a problem the door answers itself. headers is the request's
 * connection when its headers may be read (request id, language), or NULL. */
static char *problem_text(struct MHD_Connection *headers, enum problem_kind kind,
                          struct problem_text detail, struct req_ctx *ctx)
{
    ctx->started_ns = util_now_ns();
    const char *rid =
        headers ? MHD_lookup_connection_value(headers, MHD_HEADER_KIND, "X-Request-Id") : NULL;
    if (api_valid_request_id(rid))
        snprintf(ctx->request_id, sizeof ctx->request_id, "%s", rid);
    else
        util_uuid_v4(ctx->request_id);
    ctx->lang_pt = headers && api_prefers_pt(MHD_lookup_connection_value(headers, MHD_HEADER_KIND,
                                                                         "Accept-Language"));
    json_t *body = problem_body(ctx, kind, detail, NULL);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

static struct MHD_Response *problem_response(char *text, const struct req_ctx *ctx)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/problem+json");
    if (ctx->lang_pt)
        MHD_add_response_header(r, "Content-Language", "pt-PT");
    MHD_add_response_header(r, "X-Request-Id", ctx->request_id);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Connection", "close");
    return r;
}

static void record(const char *method, unsigned status, const struct req_ctx *ctx)
{
    uint64_t us = (util_now_ns() - ctx->started_ns) / 1000;
    log_request(method, "unmatched", (int)status, us, ctx->request_id);
    metrics_record(method, "unmatched", status, us);
}

/* Answers a problem before ulfius sees the request, and closes the connection
 * after it (its body, if any, is never read). */
static enum MHD_Result refuse(struct MHD_Connection *connection, const char *method,
                              enum problem_kind kind, const char *detail_en, const char *detail_pt)
{
    struct req_ctx ctx = {0};
    char *text = problem_text(connection, kind, (struct problem_text){detail_en, detail_pt}, &ctx);
    struct MHD_Response *r = problem_response(text, &ctx);
    unsigned status = problem_status(kind);
    enum MHD_Result ok = MHD_queue_response(connection, status, r);
    MHD_destroy_response(r);
    record(method, status, &ctx);
    return ok;
}

/* Writes a whole answer on the socket, past libmicrohttpd, best effort: it is
 * small and goes out before anything else of this request. */
static void send_raw(int fd, unsigned status, const char *body, const struct req_ctx *ctx)
{
    char *answer =
        xasprintf("HTTP/1.1 %u %s\r\nContent-Type: application/problem+json\r\n"
                  "X-Request-Id: %s\r\nCache-Control: no-store\r\nConnection: "
                  "close\r\nContent-Length: %zu\r\n\r\n%s",
                  status, MHD_get_reason_phrase_for(status), ctx->request_id, strlen(body), body);
    (void)!send(fd, answer, strlen(answer), MSG_NOSIGNAL | MSG_DONTWAIT);
    free(answer);
}

/* A body that passes the limit mid-way (chunked, or longer than announced)
 * can no longer be answered through libmicrohttpd: say 413 on the socket,
 * best effort, and close. */
static enum MHD_Result cut_off(struct conn *c)
{
    struct req_ctx ctx = {0};
    char *text = problem_text(NULL, PROBLEM_PAYLOAD_TOO_LARGE, PROBLEM_NO_DETAIL, &ctx);
    send_raw(c->fd, 413, text, &ctx);
    free(text);
    return MHD_NO;
}

/* refuse() with a detail that names a limit: en and pt are fixed texts of
 * this file, each taking the limit as its one %d. */
static enum MHD_Result refuse_limit(struct MHD_Connection *connection, const char *method,
                                    enum problem_kind kind, const char *en, const char *pt,
                                    int limit)
{
    char en_text[160], pt_text[160];
    snprintf(en_text, sizeof en_text, en, limit);
    snprintf(pt_text, sizeof pt_text, pt, limit);
    return refuse(connection, method, kind, en_text, pt_text);
}

/* The checks of a request's first call: its headers are in, its body not. */
static enum MHD_Result first_call(struct MHD_Connection *connection, const char *method,
                                  struct conn *c, bool *answered)
{
    *answered = true;
    if (c->refusal == REFUSE_QUERY)
        return refuse_limit(connection, method, PROBLEM_INVALID_REQUEST,
                            "Too many query parameters: at most %d.",
                            "Demasiados parâmetros na query string: no máximo %d.", API_MAX_QUERY);
    if (c->refusal == REFUSE_TARGET)
        return refuse_limit(connection, method, PROBLEM_URI_TOO_LONG,
                            "The request target is longer than %d bytes.",
                            "O alvo do pedido tem mais de %d bytes.", DOOR_MAX_TARGET);
    const char *cl =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL) {
        errno = 0;
        char *end = NULL;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno != 0 || end == cl || n > door.max_body)
            return refuse(connection, method, PROBLEM_PAYLOAD_TOO_LARGE, NULL, NULL);
    }
    *answered = false;
    bool body = (cl != NULL && strcmp(cl, "0") != 0) ||
                MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                            MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
    pthread_mutex_lock(&door.lock);
    c->in_request = true;
    c->phase = body ? PHASE_BODY : PHASE_HANDLING;
    c->since_ns = util_now_ns();
    pthread_mutex_unlock(&door.lock);
    return MHD_YES;
}

static enum MHD_Result door_access(void *cls, struct MHD_Connection *connection, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
    const struct inner *in = cls;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *c = info ? info->socket_context : NULL;
    enum MHD_Result r = MHD_YES;
    in_handler = true;
    if (c != NULL && !c->in_request) {
        bool answered = false;
        r = first_call(connection, method, c, &answered);
        if (!answered)
            r = in->dh(in->cls, connection, url, method, version, upload_data, upload_data_size,
                       con_cls);
    } else if (c != NULL && *upload_data_size != 0) {
        c->body_bytes += *upload_data_size; /* only this connection's thread writes it */
        r = c->body_bytes > door.max_body ? cut_off(c)
                                          : in->dh(in->cls, connection, url, method, version,
                                                   upload_data, upload_data_size, con_cls);
    } else if (c != NULL) { /* the last call: the handlers run, then the answer goes out */
        set_phase(c, PHASE_HANDLING);
        atomic_store(&this_thread.busy, true);
        r = in->dh(in->cls, connection, url, method, version, upload_data, upload_data_size,
                   con_cls);
        atomic_store(&this_thread.free_since_ns, util_now_ns());
        atomic_store(&this_thread.busy, false);
        set_phase(c, PHASE_SENDING);
    } else {
        r = in->dh(in->cls, connection, url, method, version, upload_data, upload_data_size,
                   con_cls);
    }
    in_handler = false;
    return r;
}

/* How many arguments libmicrohttpd makes of a query string: one per piece
 * between '&', empty ones included, but none after a last '&'. */
static size_t count_arguments(const char *query)
{
    size_t n = *query != '\0';
    for (const char *p = query; *p; p++)
        n += *p == '&' && p[1] != '\0';
    return n;
}

void *door_uri_log(void *cls, const char *uri, struct MHD_Connection *connection)
{
    void *logged = ulfius_uri_logger(cls, uri);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *c = info ? info->socket_context : NULL;
    if (c == NULL)
        return logged;
    pthread_mutex_lock(&door.lock);
    c->in_line = true;
    pthread_mutex_unlock(&door.lock);
    char *query = strchr(uri, '?');
    if (strlen(uri) > DOOR_MAX_TARGET)
        c->refusal = REFUSE_TARGET;
    else if (query != NULL && count_arguments(query + 1) > API_MAX_QUERY)
        c->refusal = REFUSE_QUERY;
    /* libmicrohttpd splits the query into arguments right after this call,
     * one record each in the connection's memory, and thousands of them run
     * it out: the request then gets no answer at all. A refused request's
     * arguments are never read, so its query ends here, in place (the line
     * is libmicrohttpd's writable read buffer). */
    if (c->refusal != REFUSE_NONE && query != NULL)
        query[1] = '\0';
    return logged;
}

/* libmicrohttpd's own answers to what it refuses before the access handler
 * (a request line or headers over the connection's memory, a malformed line,
 * an invalid Content-Length) come through MHD_queue_response too, outside
 * any handler: this names the cause. */
static enum problem_kind library_refusal(unsigned status, bool headers_in, struct problem_text *t)
{
    switch (status) {
    case MHD_HTTP_URI_TOO_LONG:
        *t = (struct problem_text){"The request line is too long.",
                                   "A linha do pedido é demasiado longa."};
        return PROBLEM_URI_TOO_LONG;
    case MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE:
        *t = (struct problem_text){"The request's header fields are too large.",
                                   "Os campos de cabeçalho do pedido são demasiado grandes."};
        return PROBLEM_HEADERS_TOO_LARGE;
    case MHD_HTTP_CONTENT_TOO_LARGE:
        *t = (struct problem_text){"The Content-Length is too large.",
                                   "O Content-Length é demasiado grande."};
        return PROBLEM_PAYLOAD_TOO_LARGE;
    case MHD_HTTP_BAD_REQUEST:
        /* all headers in: the one header libmicrohttpd refuses then is Content-Length */
        *t = headers_in ? (struct problem_text){"The Content-Length header is not a number.",
                                                "O cabeçalho Content-Length não é um número."}
                        : (struct problem_text){"The request line or a header line is malformed.",
                                                "A linha do pedido ou de um cabeçalho está mal "
                                                "formada."};
        return PROBLEM_INVALID_REQUEST;
    default:
        return PROBLEM_KIND_COUNT; /* none of ours: libmicrohttpd's answer stands */
    }
}

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
static queue_fn real_queue;
static pthread_once_t real_queue_once = PTHREAD_ONCE_INIT;

static void find_real_queue(void)
{
    real_queue = (queue_fn)dlsym(RTLD_NEXT, "MHD_queue_response");
    if (real_queue == NULL)
        abort();
}

/* Replaces libmicrohttpd's MHD_queue_response for the whole program, as
 * MHD_start_daemon below: libmicrohttpd calls it through its own symbol table
 * for its error answers. Inside the access handler it is the real one.
 * Outside, libmicrohttpd is refusing a request: the answer becomes a problem.
 * When the refusal comes after all the headers are in (a bad Content-Length,
 * too many cookies), libmicrohttpd 0.9.75 loses the answer's state and writes
 * its status line and headers twice (connection.c: the
 * MHD_CONNECTION_HEADERS_RECEIVED step overwrites the state that
 * transmit_error_response set, and the answer is built again). Then the
 * answer is written on the socket here and the socket shut for writing:
 * libmicrohttpd goes on as it would (telling it the queue failed would free
 * the connection's memory while it still parses headers), its own doubled
 * answer fails to send, and it closes. */
enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response)
{
    pthread_once(&real_queue_once, find_real_queue);
    if (in_handler && atomic_load(&quiescing)) /* stopping: no next request on this connection */
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
    if (in_handler)
        return real_queue(connection, status_code, response);
    const union MHD_ConnectionInfo *size =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    bool headers_in = size != NULL && size->header_size != 0;
    struct problem_text detail;
    enum problem_kind kind = library_refusal(status_code, headers_in, &detail);
    if (kind == PROBLEM_KIND_COUNT)
        return real_queue(connection, status_code, response);
    /* libmicrohttpd has already let go of the read buffer the header values
     * point into: the answer reads no header. */
    struct req_ctx ctx = {0};
    char *text = problem_text(NULL, kind, detail, &ctx);
    enum MHD_Result ok;
    if (headers_in) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (fd != NULL) {
            send_raw(fd->connect_fd, status_code, text, &ctx);
            shutdown(fd->connect_fd, SHUT_WR);
        }
        free(text);
        ok = real_queue(connection, status_code, response);
    } else {
        struct MHD_Response *r = problem_response(text, &ctx);
        ok = real_queue(connection, status_code, r);
        MHD_destroy_response(r);
    }
    record("-", status_code, &ctx);
    return ok;
}

/* Replaces libmicrohttpd's own MHD_start_daemon for the whole program (the
 * executable's definition wins over the library's): ulfius calls it with its
 * static dispatcher, and the daemon gets door_access in front of it. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    va_list ap;
    va_start(ap, dh_cls);
    struct inner *in = NULL;
    pthread_mutex_lock(&door.lock);
    if (door.ninners < sizeof door.inners / sizeof door.inners[0]) {
        in = &door.inners[door.ninners++];
        in->dh = dh;
        in->cls = dh_cls;
    }
    pthread_mutex_unlock(&door.lock);
    struct MHD_Daemon *d = in ? MHD_start_daemon_va(flags, port, apc, apc_cls, door_access, in, ap)
                              : MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

bool door_quiet(void)
{
    /* A connection just made (or just answered) may be about to send: it
     * counts as quiet once it has waited this long without a byte. */
    static const uint64_t silent_ns = 200000000ull;
    uint64_t now = util_now_ns();
    bool quiet = true;
    pthread_mutex_lock(&door.lock);
    for (struct conn *c = door.head; c != NULL && quiet; c = c->next)
        quiet = c->cut || (c->phase == PHASE_WAITING && !c->in_line && !c->in_request &&
                           now - c->request_ns > silent_ns && (c->fd < 0 || !body_waiting(c->fd)));
    pthread_mutex_unlock(&door.lock);
    return quiet;
}
