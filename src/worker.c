/* The worker. It claims one due message of a channel at a time
 * (store_outbox_claim: FOR UPDATE SKIP LOCKED and a lease, so two workers
 * never hold one message), delivers it outside any transaction, and records
 * the attempt: sent, retried after the channel's backoff (outbox.h), or
 * failed. With nothing due it sleeps until a message commits (LISTEN
 * outbox) or a second passes (retries come due by the clock). SIGTERM or
 * SIGINT lets the message in hand finish, then the loop ends. Mail needs
 * PARCERIA_SMTP_URL: without it email messages stay pending, never lost. */
#include "worker.h"

#include "db.h"
#include "mail.h"
#include "outbox.h"
#include "service_chores.h"
#include "store_outbox.h"
#include "util.h"
#include "webhook_delivery.h"

#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#define WORKER_LEASE_S 120  /* longer than any delivery's timeouts */
#define WORKER_IDLE_MS 1000 /* the longest sleep with nothing due */
#define WORKER_ERROR_MAX 256
#define WORKER_CHORES_S 60 /* how often the chores run (service_chores.h) */
#define MAIL_DISPLAY_NAME "Parceria .PT"
#define MESSAGE_ID_HOST "parceria.dns.pt"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

struct worker {
    const struct config *cfg;
    struct db_pool *pool;
    PGconn *listen; /* LISTEN outbox; NULL while the database is away */
    char name[96];  /* host:pid, in the attempts log */
    struct mail_smtp smtp;
    char from[400];   /* the From header */
    time_t chores_at; /* when the chores last ran (monotonic seconds); 0: never */
};

/* A channel: its name in the outbox and how one message of it is
 * delivered (ST_OK, ST_RETRY for a failure that may pass, anything else
 * for one that will not), with a one-line reason in error. */
struct channel {
    const char *name;
    bool (*enabled)(const struct worker *w);
    enum status (*deliver)(struct worker *w, PGconn *conn, const struct outbox_row *row,
                           char error[WORKER_ERROR_MAX]);
};

static bool mail_on(const struct worker *w)
{
    return w->cfg->smtp_url != NULL;
}

static enum status deliver_email(struct worker *w, PGconn *conn, const struct outbox_row *row,
                                 char error[WORKER_ERROR_MAX])
{
    (void)conn;
    const char *name = json_string_value(json_object_get(row->payload, "template"));
    char *subject = NULL, *text = NULL, *html = NULL, *message = NULL, *unsubscribe = NULL;
    size_t len = 0;
    char message_id[80];
    snprintf(message_id, sizeof message_id, "<%s@" MESSAGE_ID_HOST ">", row->message_id);
    /* the templates' links start at the configured public URL */
    json_t *vars = json_deep_copy(json_object_get(row->payload, "vars"));
    if (json_is_object(vars))
        json_object_set_new(vars, "public_url", json_string(w->cfg->public_url));
    enum status st = name ? mail_render(name, vars, &subject, &text, &html) : ST_INVALID;
    if (st == ST_OK)
        st = mail_list_unsubscribe(w->cfg->public_url, vars, &unsubscribe);
    json_decref(vars);
    if (st != ST_OK) {
        snprintf(error, WORKER_ERROR_MAX, "template %s does not render", name ? name : "(none)");
        st = ST_INVALID;
    } else {
        struct mail_message m = {.from = w->from,
                                 .to = row->recipient,
                                 .subject = subject,
                                 .text = text,
                                 .html = html,
                                 .message_id = message_id,
                                 /* a template's "reply_to" var: where a reply goes */
                                 .reply_to = json_string_value(json_object_get(
                                     json_object_get(row->payload, "vars"), "reply_to")),
                                 .list_unsubscribe = unsubscribe,
                                 .list_unsubscribe_post = unsubscribe ? MAIL_ONE_CLICK : NULL};
        st = mail_build(&m, &message, &len);
        if (st != ST_OK)
            snprintf(error, WORKER_ERROR_MAX, "%s", "refused: a header value would break the mail");
        else
            st = mail_send(&w->smtp, w->cfg->mail_from, row->recipient, message, len, error);
    }
    free(subject);
    free(text);
    free(html);
    free(message);
    free(unsubscribe);
    return st;
}

static bool always(const struct worker *w)
{
    (void)w;
    return true;
}

/* webhook_delivery.h: a 410 has disabled the subscription by then. */
static enum status deliver_webhook(struct worker *w, PGconn *conn, const struct outbox_row *row,
                                   char error[WORKER_ERROR_MAX])
{
    (void)w;
    bool gone = false;
    return webhook_deliver(conn, row, error, &gone);
}

static const struct channel channels[] = {
    {OUTBOX_EMAIL, mail_on, deliver_email},
    {OUTBOX_WEBHOOK, always, deliver_webhook},
};
#define CHANNELS (sizeof channels / sizeof *channels)

/* Records the outcome of one attempt. */
static enum status record(struct worker *w, PGconn *conn, const struct outbox_row *row,
                          enum status delivered, const char *error)
{
    if (delivered == ST_OK)
        return store_outbox_sent(conn, row->id, w->name);
    int wait = delivered == ST_RETRY
                   ? outbox_backoff_s(row->channel, row->attempts, randombytes_random())
                   : -1;
    return wait < 0 ? store_outbox_failed(conn, row->id, error, w->name)
                    : store_outbox_retry(conn, row->id, wait, error, w->name);
}

/* Claims and delivers one message of channel c. True when there was one. */
static bool work_one(struct worker *w, const struct channel *c)
{
    PGconn *conn = NULL;
    struct outbox_row row = {0};
    enum status st = db_acquire(w->pool, &conn);
    if (st == ST_OK)
        st = store_outbox_claim(conn, c->name, WORKER_LEASE_S, &row);
    if (st != ST_OK) {
        if (st != ST_NOT_FOUND)
            y_log_message(Y_LOG_LEVEL_WARNING, "worker: database unavailable; trying again");
        db_release(w->pool, conn);
        store_outbox_row_cleanup(&row);
        return false;
    }
    char error[WORKER_ERROR_MAX] = "";
    enum status delivered = c->deliver(w, conn, &row, error);
    st = record(w, conn, &row, delivered, error);
    /* a message is named by its id and event, never by its recipient */
    y_log_message(st == ST_OK ? Y_LOG_LEVEL_INFO : Y_LOG_LEVEL_WARNING,
                  "worker: %s %s %s (attempt %d)%s%s%s", c->name, row.message_id, row.event,
                  row.attempts,
                  delivered == ST_OK      ? ": sent"
                  : delivered == ST_RETRY ? ": retry: "
                                          : ": failed: ",
                  delivered == ST_OK ? "" : error,
                  st == ST_OK ? "" : " (not recorded: the lease lets it be tried again)");
    db_release(w->pool, conn);
    store_outbox_row_cleanup(&row);
    return true;
}

static void chore_report(const char *name, enum status st, bool skipped, long long count, void *arg)
{
    const struct worker *w = arg;
    if (st != ST_OK)
        y_log_message(Y_LOG_LEVEL_WARNING, "worker %s: chore %s failed; the next round retries",
                      w->name, name);
    else if (!skipped && count > 0)
        y_log_message(Y_LOG_LEVEL_INFO, "worker %s: chore %s: %lld", w->name, name, count);
}

/* Runs the chores when a round is due, as of the database's clock. */
static void chores_when_due(struct worker *w)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (w->chores_at != 0 && now.tv_sec - w->chores_at < WORKER_CHORES_S)
        return;
    PGconn *conn = NULL;
    if (db_acquire(w->pool, &conn) != ST_OK) {
        db_release(w->pool, conn);
        return; /* the database is away: the next turn tries again */
    }
    w->chores_at = now.tv_sec;
    if (service_chores_run(conn, NULL, chore_report, w) != ST_OK)
        y_log_message(Y_LOG_LEVEL_WARNING, "worker %s: chores incomplete", w->name);
    db_release(w->pool, conn);
}

/* (Re)opens the listening connection. */
static void listen_open(struct worker *w)
{
    if (w->listen != NULL && PQstatus(w->listen) == CONNECTION_OK)
        return;
    if (w->listen != NULL)
        PQfinish(w->listen);
    w->listen = db_connect(w->cfg->database_url, w->cfg->statement_timeout_ms);
    PGresult *res = w->listen ? PQexec(w->listen, "LISTEN outbox") : NULL;
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        PQfinish(w->listen);
        w->listen = NULL;
    }
    PQclear(res);
}

/* Sleeps until a message commits, ms pass, or a signal comes. */
static void wait_for_work(struct worker *w, int ms)
{
    listen_open(w);
    if (w->listen == NULL) {
        usleep((useconds_t)ms * 1000);
        return;
    }
    int fd = PQsocket(w->listen);
    fd_set in;
    FD_ZERO(&in);
    FD_SET(fd, &in);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    if (select(fd + 1, &in, NULL, NULL, &tv) > 0 && PQconsumeInput(w->listen)) {
        PGnotify *n;
        while ((n = PQnotifies(w->listen)) != NULL)
            PQfreemem(n);
    }
}

int worker_run(const struct config *cfg)
{
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: a signal ends a sleep */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("parceria: libcurl failed to initialise\n", stderr);
        return 1;
    }
    webhook_configure(cfg);
    struct worker w = {
        .cfg = cfg,
        .pool = db_pool_new(cfg->database_url, 1, cfg->db_wait_ms, cfg->statement_timeout_ms),
        .smtp = {cfg->smtp_url, cfg->smtp_user, cfg->smtp_password, 10, 60}};
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(w.name, sizeof w.name, "%s:%ld", host, (long)getpid());
    snprintf(w.from, sizeof w.from, MAIL_DISPLAY_NAME " <%s>", cfg->mail_from);
    db_pool_set_deadline(w.pool, cfg->statement_timeout_ms + cfg->db_deadline_margin_ms);
    y_log_message(Y_LOG_LEVEL_INFO, "worker %s started", w.name);
    if (!mail_on(&w))
        y_log_message(Y_LOG_LEVEL_WARNING, "worker: mail is off (no PARCERIA_SMTP_URL): email "
                                           "messages stay pending in the outbox");
    while (!stopping) {
        bool worked = false;
        chores_when_due(&w);
        for (size_t i = 0; i < CHANNELS && !stopping; i++)
            if (channels[i].enabled(&w))
                worked = work_one(&w, &channels[i]) || worked;
        if (!worked && !stopping)
            wait_for_work(&w, WORKER_IDLE_MS);
    }
    y_log_message(Y_LOG_LEVEL_INFO, "worker %s stopped", w.name);
    if (w.listen != NULL)
        PQfinish(w.listen);
    db_pool_free(w.pool);
    curl_global_cleanup();
    return 0;
}
