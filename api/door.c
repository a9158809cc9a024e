/* The front door: every connection from accept to close, and the access
 * handler's first call. ulfius owns libmicrohttpd's access handler (its
 * dispatcher is static), so MHD_start_daemon is wrapped here to put door_access
 * in front of it: that is the only place where a request can be answered
 * after its headers and before its body, which is what keeps `100 Continue`
 * from being sent for a body that will be refused. A reaper thread shuts down
 * the sockets of connections that miss a deadline; libmicrohttpd then sees
 * the close on its own thread and frees the slot. */
#include "door.h"

#include "api.h"
#include "log.h"
#include "metrics.h"
#include "problem.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
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

struct conn {
    struct conn *prev, *next;
    int fd;
    enum phase phase;
    uint64_t since_ns;   /* the phase began */
    uint64_t request_ns; /* the connection began to wait for this request */
    uint64_t body_bytes;
    bool in_request; /* the access handler was called for the current request */
    bool cut;
};

/* A daemon's own access handler and argument, which door_access calls on. */
struct inner {
    MHD_AccessHandlerCallback dh;
    void *cls;
};

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

static bool late(const struct conn *c, uint64_t now)
{
    uint64_t age = now - c->since_ns;
    switch (c->phase) {
    case PHASE_WAITING:
        return age > door.header_ns;
    case PHASE_BODY:
        if (now - c->request_ns > door.request_ns)
            return true;
        /* on average at least min_rate bytes a second, after the grace */
        return age > BODY_GRACE_NS &&
               c->body_bytes * 1000000000ull < door.min_rate * (age - BODY_GRACE_NS);
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

static void set_phase(struct conn *c, enum phase p)
{
    pthread_mutex_lock(&door.lock);
    c->phase = p;
    c->since_ns = util_now_ns();
    if (p == PHASE_WAITING) {
        c->request_ns = c->since_ns;
        c->in_request = false;
        c->body_bytes = 0;
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

/* Answers a problem before ulfius sees the request, and closes the connection
 * after it (its body, if any, is never read). */
static enum MHD_Result refuse(struct MHD_Connection *connection, const char *method,
                              enum problem_kind kind, const char *detail_en, const char *detail_pt)
{
    struct req_ctx *ctx = xcalloc(1, sizeof *ctx);
    ctx->started_ns = util_now_ns();
    const char *rid = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Request-Id");
    if (api_valid_request_id(rid))
        snprintf(ctx->request_id, sizeof ctx->request_id, "%s", rid);
    else
        util_uuid_v4(ctx->request_id);
    ctx->lang_pt =
        api_prefers_pt(MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Accept-Language"));
    json_t *body = problem_body(ctx, kind, (struct problem_text){detail_en, detail_pt}, NULL);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/problem+json");
    MHD_add_response_header(r, "X-Request-Id", ctx->request_id);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Connection", "close");
    unsigned status = problem_status(kind);
    enum MHD_Result ok = MHD_queue_response(connection, status, r);
    MHD_destroy_response(r);
    uint64_t us = (util_now_ns() - ctx->started_ns) / 1000;
    log_request(method, "unmatched", (int)status, us, ctx->request_id);
    metrics_record(method, "unmatched", status, us);
    free(ctx);
    return ok;
}

/* A body that passes the limit mid-way (chunked, or longer than announced)
 * can no longer be answered through libmicrohttpd: say 413 on the socket,
 * best effort, and close. */
static enum MHD_Result cut_off(struct conn *c)
{
    static const char body[] = "{\"type\":\"https://parceria.dns.pt/problems/payload-too-large\","
                               "\"title\":\"Payload too large\",\"status\":413,"
                               "\"detail\":\"The request body is over the limit.\"}";
    char *answer = xasprintf("HTTP/1.1 413 Content Too Large\r\nContent-Type: "
                             "application/problem+json\r\nConnection: close\r\n"
                             "Content-Length: %zu\r\n\r\n%s",
                             sizeof body - 1, body);
    (void)!send(c->fd, answer, strlen(answer), MSG_NOSIGNAL | MSG_DONTWAIT);
    free(answer);
    return MHD_NO;
}

/* The checks of a request's first call: its headers are in, its body not. */
static enum MHD_Result first_call(struct MHD_Connection *connection, const char *method,
                                  struct conn *c, bool *answered)
{
    *answered = true;
    int nquery = MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, NULL, NULL);
    if (nquery > API_MAX_QUERY) {
        char *en = xasprintf("Too many query parameters: at most %d.", API_MAX_QUERY);
        char *pt = xasprintf("Demasiados parâmetros na query string: no máximo %d.", API_MAX_QUERY);
        enum MHD_Result r = refuse(connection, method, PROBLEM_INVALID_REQUEST, en, pt);
        free(en);
        free(pt);
        return r;
    }
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
    if (c != NULL && !c->in_request) {
        bool answered = false;
        enum MHD_Result r = first_call(connection, method, c, &answered);
        if (answered)
            return r;
    } else if (c != NULL && *upload_data_size != 0) {
        c->body_bytes += *upload_data_size; /* only this connection's thread writes it */
        if (c->body_bytes > door.max_body)
            return cut_off(c);
    } else if (c != NULL) { /* the last call: the handlers run, then the answer goes out */
        set_phase(c, PHASE_HANDLING);
        enum MHD_Result r = in->dh(in->cls, connection, url, method, version, upload_data,
                                   upload_data_size, con_cls);
        set_phase(c, PHASE_SENDING);
        return r;
    }
    return in->dh(in->cls, connection, url, method, version, upload_data, upload_data_size,
                  con_cls);
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
