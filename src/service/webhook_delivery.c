/* One webhook delivery (webhook_delivery.h): read the subscription and its
 * secrets, resolve and check the target's addresses, pin the connection
 * to them, sign and POST the envelope with libcurl, and read the answer. */
#include "webhook_delivery.h"

#include "service_webhook.h"
#include "util.h"
#include "webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define CONNECT_TIMEOUT_S 5L
#define TOTAL_TIMEOUT_S 15L
#define MAX_ADDRESSES 8

void webhook_configure(const struct config *cfg)
{
    service_webhook_configure(cfg->webhook_key, cfg->webhook_allow_private);
}

/* The checked addresses of a host, as CURLOPT_RESOLVE wants them
 * ("a,b,[c]"): every address the name resolves to must be public, or the
 * target is refused (ST_INVALID); a name that does not resolve now is
 * ST_RETRY. */
static enum status resolve(const char *host, char *list, size_t size, char error[256])
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        snprintf(error, 256, "cannot resolve %.120s: %s", host, gai_strerror(rc));
        return ST_RETRY;
    }
    enum status st = ST_OK;
    int n = 0;
    list[0] = '\0';
    for (struct addrinfo *a = res; a != NULL && st == ST_OK && n < MAX_ADDRESSES; a = a->ai_next) {
        const void *bin = a->ai_family == AF_INET
                              ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                              : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        char text[INET6_ADDRSTRLEN];
        if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
            continue;
        inet_ntop(a->ai_family, bin, text, sizeof text);
        enum webhook_addr what = webhook_addr_classify(a->ai_family, bin);
        if (what != WEBHOOK_ADDR_PUBLIC && !service_webhook_allow_private()) {
            snprintf(error, 256, "refused: %.120s resolves to %s, a %s address", host, text,
                     webhook_addr_name(what));
            st = ST_INVALID;
        } else if (strstr(list, text) == NULL) {
            size_t len = strlen(list);
            snprintf(list + len, size - len, a->ai_family == AF_INET6 ? "%s[%s]" : "%s%s",
                     n++ ? "," : "", text);
        }
    }
    freeaddrinfo(res);
    if (st == ST_OK && n == 0) {
        snprintf(error, 256, "cannot resolve %.120s: no address", host);
        st = ST_RETRY;
    }
    return st;
}

/* Whether the URL may be called, and the CURLOPT_RESOLVE entry that pins
 * its host (empty for an address literal, which is checked as it is). */
static enum status target(const char *url, char pin[720], char error[256])
{
    struct webhook_url u;
    char list[MAX_ADDRESSES * (INET6_ADDRSTRLEN + 3)];
    pin[0] = '\0';
    if (!webhook_url_parse(url, &u) || (!u.https && !service_webhook_allow_private()))
        return snprintf(error, 256, "refused: not an https URL"), ST_INVALID;
    if (u.host_is_ip) {
        enum webhook_addr what = webhook_addr_classify_text(u.host);
        if (what != WEBHOOK_ADDR_PUBLIC && !service_webhook_allow_private())
            return snprintf(error, 256, "refused: %.120s is a %s address", u.host,
                            webhook_addr_name(what)),
                   ST_INVALID;
        return ST_OK;
    }
    enum status st = resolve(u.host, list, sizeof list, error);
    if (st == ST_OK)
        snprintf(pin, 720, "%s:%u:%s", u.host, u.port, list);
    return st;
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

/* The webhook-signature header: one "v1,…" per live secret. */
static char *signature_header(unsigned char (*keys)[WEBHOOK_SECRET_BYTES], int count,
                              const char *msg_id, long long ts, const char *body)
{
    size_t cap = sizeof "webhook-signature: " + (size_t)count * WEBHOOK_SIGNATURE_LEN;
    char *h = xcalloc(1, cap);
    strcpy(h, "webhook-signature: ");
    for (int i = 0; i < count; i++) {
        char sig[WEBHOOK_SIGNATURE_LEN];
        webhook_sign(keys[i], WEBHOOK_SECRET_BYTES, msg_id, ts, body, strlen(body), sig);
        if (i > 0)
            strcat(h, " ");
        strcat(h, sig);
    }
    return h;
}

/* POSTs body to url, signed; *code gets the HTTP status (0 when none came). */
static enum status post(const char *url, const char *pin, const struct outbox_row *row,
                        const char *body, const char *signatures, long long ts, long *code,
                        char error[256])
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL, *resolve = NULL;
    char line[128];
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "User-Agent: Parceria-Webhooks/1");
    snprintf(line, sizeof line, "webhook-id: %s", row->message_id);
    headers = curl_slist_append(headers, line);
    snprintf(line, sizeof line, "webhook-timestamp: %lld", ts);
    headers = curl_slist_append(headers, line);
    headers = curl_slist_append(headers, signatures);
    if (pin[0])
        resolve = curl_slist_append(resolve, pin);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
                     service_webhook_allow_private() ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* a proxy would resolve the name again */
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(curl);
    *code = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, code);
    else
        snprintf(error, 256, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(headers);
    curl_slist_free_all(resolve);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK ? ST_OK : ST_RETRY;
}

/* The subscription, still active, and its secrets. */
static enum status subscription(PGconn *conn, const struct outbox_row *row, struct webhook_row *w,
                                unsigned char (**keys)[WEBHOOK_SECRET_BYTES], int *count,
                                char error[256])
{
    enum status st = util_is_uuid(row->recipient)
                         ? store_webhook_get(conn, row->recipient, false, w)
                         : ST_NOT_FOUND;
    if (st == ST_NOT_FOUND)
        return snprintf(error, 256, "the subscription was deleted"), ST_INVALID;
    if (st != ST_OK)
        return snprintf(error, 256, "database unavailable"), ST_RETRY;
    if (w->status != WEBHOOK_ACTIVE)
        return snprintf(error, 256, "the subscription is disabled"), ST_INVALID;
    st = service_webhook_keys(conn, w->id, keys, count);
    if (st == ST_INVALID || (st == ST_OK && *count == 0))
        return snprintf(error, 256, "no readable secret (is PARCERIA_WEBHOOK_KEY the server's?)"),
               ST_INVALID;
    if (st != ST_OK)
        return snprintf(error, 256, "database unavailable"), ST_RETRY;
    return ST_OK;
}

enum status webhook_deliver(PGconn *conn, const struct outbox_row *row, char error[256], bool *gone)
{
    struct webhook_row w = {0};
    unsigned char(*keys)[WEBHOOK_SECRET_BYTES] = NULL;
    int count = 0;
    char pin[720], *body = NULL, *signatures = NULL;
    long code = 0;
    *gone = false;
    error[0] = '\0';
    enum status st = subscription(conn, row, &w, &keys, &count, error);
    if (st == ST_OK)
        st = target(w.url, pin, error);
    if (st != ST_OK)
        goto out;
    long long ts = (long long)time(NULL);
    body = json_dumps(row->payload, JSON_COMPACT);
    signatures = signature_header(keys, count, row->message_id, ts, body ? body : "");
    st = post(w.url, pin, row, body ? body : "", signatures, ts, &code, error);
    if (st != ST_OK || (code >= 200 && code < 300))
        goto out;
    snprintf(error, 256, "the target answered %ld", code);
    st = ST_RETRY;
    if (code == 410) {
        *gone = true;
        snprintf(error, 256, "the target answered 410 Gone: the subscription is disabled");
        st = service_webhook_gone(conn, w.id, "the target answered 410 Gone", row->message_id);
        st = st == ST_OK ? ST_INVALID : ST_RETRY;
    }
out:
    if (keys != NULL)
        sodium_memzero(keys, (size_t)count * sizeof *keys);
    free(keys);
    free(body);
    free(signatures);
    webhook_row_cleanup(&w);
    return st;
}
