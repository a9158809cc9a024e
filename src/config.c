/* Reads and checks the PARCERIA_* environment once. Every problem is reported,
 * by variable name, before the program gives up, so one start-up attempt shows
 * an operator everything to fix. */
#include "config.h"

#include "token.h"
#include "util.h"
#include "validate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yder.h>

struct reader {
    const char *(*lookup)(const char *name);
    char *errors;
};

static void complain(struct reader *r, const char *name, const char *why)
{
    char *line = xasprintf("%s%s: %s\n", r->errors ? r->errors : "", name, why);
    free(r->errors);
    r->errors = line;
}

static const char *value_of(struct reader *r, const char *name)
{
    const char *v = r->lookup(name);
    return (v != NULL && *v != '\0') ? v : NULL;
}

static char *read_string(struct reader *r, const char *name, const char *fallback)
{
    const char *v = value_of(r, name);
    if (v == NULL)
        return fallback ? xstrdup(fallback) : NULL;
    return xstrdup(v);
}

static unsigned read_uint(struct reader *r, const char *name, unsigned fallback, unsigned min,
                          unsigned max)
{
    const char *v = value_of(r, name);
    if (v == NULL)
        return fallback;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < (long long)min || n > (long long)max) {
        char *why = xasprintf("must be a whole number from %u to %u", min, max);
        complain(r, name, why);
        free(why);
        return fallback;
    }
    return (unsigned)n;
}

static bool valid_ipv4(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

/* Splits a comma-separated value into a NULL-terminated list, trimming spaces. */
static char **read_list(struct reader *r, const char *name)
{
    const char *v = value_of(r, name);
    size_t cap = 1, n = 0;
    char **list = xcalloc(cap + 1, sizeof *list);
    if (v == NULL)
        return list;
    char *copy = xstrdup(v), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len > 0 && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (len == 0)
            continue;
        if (n == cap) {
            cap *= 2;
            list = xrealloc(list, (cap + 1) * sizeof *list);
        }
        list[n++] = xstrdup(tok);
        list[n] = NULL;
    }
    free(copy);
    return list;
}

static void free_list(char **list)
{
    if (list == NULL)
        return;
    for (char **p = list; *p; p++)
        free(*p);
    free(list);
}

static void read_log(struct reader *r, struct config *cfg)
{
    static const struct {
        const char *name;
        unsigned long level;
    } levels[] = {{"error", Y_LOG_LEVEL_ERROR},
                  {"warning", Y_LOG_LEVEL_WARNING},
                  {"info", Y_LOG_LEVEL_INFO},
                  {"debug", Y_LOG_LEVEL_DEBUG}};
    const char *lvl = value_of(r, "PARCERIA_LOG_LEVEL");
    cfg->log_level = Y_LOG_LEVEL_INFO;
    if (lvl != NULL) {
        size_t i;
        for (i = 0; i < sizeof levels / sizeof levels[0]; i++)
            if (strcmp(lvl, levels[i].name) == 0)
                break;
        if (i == sizeof levels / sizeof levels[0])
            complain(r, "PARCERIA_LOG_LEVEL", "must be error, warning, info or debug");
        else
            cfg->log_level = levels[i].level;
    }
    const char *fmt = value_of(r, "PARCERIA_LOG_FORMAT");
    cfg->log_format = CONFIG_LOG_TEXT;
    if (fmt != NULL && strcmp(fmt, "json") == 0)
        cfg->log_format = CONFIG_LOG_JSON;
    else if (fmt != NULL && strcmp(fmt, "text") != 0)
        complain(r, "PARCERIA_LOG_FORMAT", "must be text or json");
}

static void read_mail(struct reader *r, struct config *cfg)
{
    cfg->smtp_url = read_string(r, "PARCERIA_SMTP_URL", NULL);
    const char *url = cfg->smtp_url;
    if (url != NULL && strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0)
        complain(r, "PARCERIA_SMTP_URL", "must start with smtp:// or smtps://");
    cfg->smtp_user = read_string(r, "PARCERIA_SMTP_USER", NULL);
    cfg->smtp_password = read_string(r, "PARCERIA_SMTP_PASSWORD", NULL);
    if ((cfg->smtp_user == NULL) != (cfg->smtp_password == NULL))
        complain(r, "PARCERIA_SMTP_PASSWORD", "goes with PARCERIA_SMTP_USER: set both or neither");
    cfg->mail_from = read_string(r, "PARCERIA_MAIL_FROM", "nao-responder@parceria.dns.pt");
    if (!validate_email(cfg->mail_from))
        complain(r, "PARCERIA_MAIL_FROM", "must be an email address");
    /* the base of the links emails carry (a newsletter's confirm and
     * unsubscribe links): an https URL, kept without a trailing slash */
    cfg->public_url = read_string(r, "PARCERIA_PUBLIC_URL", "https://parceria.dns.pt");
    size_t n = strlen(cfg->public_url);
    if (n > 1 && cfg->public_url[n - 1] == '/')
        cfg->public_url[n - 1] = '\0';
    if (!validate_website(cfg->public_url) || strpbrk(cfg->public_url, "?#") != NULL)
        complain(r, "PARCERIA_PUBLIC_URL", "must be an https URL without a query or fragment");
}

static void read_network(struct reader *r, struct config *cfg)
{
    cfg->bind_address = read_string(r, "PARCERIA_BIND_ADDRESS", "127.0.0.1");
    if (!valid_ipv4(cfg->bind_address))
        complain(r, "PARCERIA_BIND_ADDRESS", "must be an IPv4 address such as 127.0.0.1");
    cfg->port = read_uint(r, "PARCERIA_PORT", 8080, 1, 65535);
    cfg->metrics_bind = NULL;
    cfg->metrics_port = 0;
    const char *m = value_of(r, "PARCERIA_METRICS_BIND");
    if (m != NULL) {
        const char *colon = strrchr(m, ':');
        char *end = NULL;
        long port = colon ? strtol(colon + 1, &end, 10) : -1;
        char *host = colon ? xstrndup(m, (size_t)(colon - m)) : NULL;
        if (colon == NULL || end == colon + 1 || *end != '\0' || port < 1 || port > 65535 ||
            !valid_ipv4(host)) {
            complain(r, "PARCERIA_METRICS_BIND", "must be ADDRESS:PORT, such as 127.0.0.1:9090");
            free(host);
        } else {
            cfg->metrics_bind = host;
            cfg->metrics_port = (unsigned)port;
        }
    }
    cfg->cors_origins = read_list(r, "PARCERIA_CORS_ORIGINS");
    for (char **o = cfg->cors_origins; *o; o++)
        if (strncmp(*o, "https://", 8) != 0 && strncmp(*o, "http://", 7) != 0)
            complain(r, "PARCERIA_CORS_ORIGINS", "each origin must start with https:// or http://");
    cfg->trusted_proxies = read_list(r, "PARCERIA_TRUSTED_PROXIES");
    for (char **p = cfg->trusted_proxies; *p; p++)
        if (!valid_ipv4(*p))
            complain(r, "PARCERIA_TRUSTED_PROXIES", "each entry must be an IPv4 address");
}

static void read_jwt(struct reader *r, struct config *cfg)
{
    cfg->jwt_alg = read_string(r, "PARCERIA_JWT_ALG", "HS256");
    cfg->jwt_secret = read_string(r, "PARCERIA_JWT_SECRET", NULL);
    cfg->jwt_private_key_file = read_string(r, "PARCERIA_JWT_PRIVATE_KEY_FILE", NULL);
    cfg->jwt_public_key_file = read_string(r, "PARCERIA_JWT_PUBLIC_KEY_FILE", NULL);
    cfg->jwt_issuer = read_string(r, "PARCERIA_JWT_ISSUER", "https://parceria.dns.pt");
    cfg->jwt_audience = read_string(r, "PARCERIA_JWT_AUDIENCE", "parceria-api");
    cfg->jwt_issuers_file = read_string(r, "PARCERIA_JWT_ISSUERS_FILE", NULL);
    cfg->token_ttl = read_uint(r, "PARCERIA_TOKEN_TTL", 900, 60, 3600);
    cfg->jwt_kid = read_string(r, "PARCERIA_JWT_KID", NULL);
    if (cfg->jwt_kid != NULL && !token_kid_valid(cfg->jwt_kid))
        complain(r, "PARCERIA_JWT_KID", "must be 1 to 64 of A-Z a-z 0-9 . _ -");
    cfg->jwt_verify_keys_file = read_string(r, "PARCERIA_JWT_VERIFY_KEYS_FILE", NULL);
    if (strcmp(cfg->jwt_alg, "HS256") == 0) {
        if (cfg->jwt_secret == NULL || strlen(cfg->jwt_secret) < 32)
            complain(r, "PARCERIA_JWT_SECRET", "HS256 needs a secret of at least 32 bytes");
    } else if (strcmp(cfg->jwt_alg, "ES256") == 0 || strcmp(cfg->jwt_alg, "RS256") == 0) {
        if (cfg->jwt_private_key_file == NULL)
            complain(r, "PARCERIA_JWT_PRIVATE_KEY_FILE", "is required for ES256 and RS256");
        if (cfg->jwt_public_key_file == NULL)
            complain(r, "PARCERIA_JWT_PUBLIC_KEY_FILE", "is required for ES256 and RS256");
    } else {
        complain(r, "PARCERIA_JWT_ALG", "must be HS256, ES256 or RS256");
    }
    cfg->admin_client_id = read_string(r, "PARCERIA_ADMIN_CLIENT_ID", NULL);
    cfg->admin_client_secret = read_string(r, "PARCERIA_ADMIN_CLIENT_SECRET", NULL);
    if ((cfg->admin_client_id == NULL) != (cfg->admin_client_secret == NULL))
        complain(r, "PARCERIA_ADMIN_CLIENT_SECRET",
                 "PARCERIA_ADMIN_CLIENT_ID and PARCERIA_ADMIN_CLIENT_SECRET go together");
    if (cfg->admin_client_secret != NULL && strlen(cfg->admin_client_secret) < 32)
        complain(r, "PARCERIA_ADMIN_CLIENT_SECRET", "must be at least 32 characters");
}

/* The front door's limits against clients that hold connections open. */
static void read_door(struct reader *r, struct config *cfg)
{
    cfg->connections_per_address = read_uint(r, "PARCERIA_CONNECTIONS_PER_ADDRESS", 64, 1, 100000);
    cfg->header_timeout_ms = read_uint(r, "PARCERIA_HEADER_TIMEOUT_MS", 10000, 100, 600000);
    cfg->body_min_rate = read_uint(r, "PARCERIA_BODY_MIN_RATE", 1024, 1, 1u << 30);
    cfg->request_timeout_ms = read_uint(r, "PARCERIA_REQUEST_TIMEOUT_MS", 60000, 100, 3600000);
    if (cfg->request_timeout_ms < cfg->header_timeout_ms)
        complain(r, "PARCERIA_REQUEST_TIMEOUT_MS",
                 "must not be shorter than PARCERIA_HEADER_TIMEOUT_MS");
}

/* Webhooks: the secrets' configured key, and the tests' permission to
 * call private addresses over http. */
static void read_webhooks(struct reader *r, struct config *cfg)
{
    const char *v = value_of(r, "PARCERIA_WEBHOOK_ALLOW_PRIVATE");
    cfg->webhook_allow_private = false;
    if (v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0))
        cfg->webhook_allow_private = true;
    else if (v != NULL && strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
        complain(r, "PARCERIA_WEBHOOK_ALLOW_PRIVATE", "must be 1, true, 0 or false");
    cfg->webhook_key = read_string(r, "PARCERIA_WEBHOOK_KEY", NULL);
    if (cfg->webhook_key != NULL &&
        (strlen(cfg->webhook_key) < 32 || strlen(cfg->webhook_key) > 64))
        complain(r, "PARCERIA_WEBHOOK_KEY", "must be 32 to 64 characters");
}

/* The pool's default: PostgreSQL's rule of thumb, twice the cores that run
 * the statements, taken to be this machine's (compose runs PostgreSQL
 * beside the service; a database elsewhere wants PARCERIA_DB_POOL_SIZE),
 * at least 4 and at most 16, so that two replicas, the worker and the
 * migration stay under PostgreSQL's default max_connections (100) on any
 * host. More backends than that on the cores only take turns:
 * on 2 cores, 16 connections gave a POST's p99 55-63 ms against 41-51 ms
 * with 4, at the same throughput (docs/operations.md#configuration). */
static unsigned default_pool_size(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 2 ? 4 : cpus > 8 ? 16 : (unsigned)(2 * cpus);
}

bool config_load(struct config *cfg, const char *(*lookup)(const char *name), char **errors)
{
    struct reader r = {.lookup = lookup, .errors = NULL};
    memset(cfg, 0, sizeof *cfg);
    cfg->database_url = read_string(&r, "PARCERIA_DATABASE_URL", "postgresql:///parceria");
    read_network(&r, cfg);
    read_jwt(&r, cfg);
    cfg->db_pool_size = read_uint(&r, "PARCERIA_DB_POOL_SIZE", default_pool_size(), 1, 256);
    cfg->db_wait_ms = read_uint(&r, "PARCERIA_DB_WAIT_MS", 2000, 10, 60000);
    cfg->statement_timeout_ms = read_uint(&r, "PARCERIA_STATEMENT_TIMEOUT_MS", 5000, 100, 600000);
    cfg->db_deadline_margin_ms = read_uint(&r, "PARCERIA_DB_DEADLINE_MARGIN_MS", 1000, 50, 60000);
    cfg->threads = read_uint(&r, "PARCERIA_THREADS", 0, 0, 256);
    cfg->max_body_bytes = read_uint(&r, "PARCERIA_MAX_BODY_BYTES", 1048576, 1024, 67108864);
    read_door(&r, cfg);
    cfg->public_rate_limit = read_uint(&r, "PARCERIA_PUBLIC_RATE_LIMIT", 20, 1, 1000000);
    cfg->client_rate_limit = read_uint(&r, "PARCERIA_CLIENT_RATE_LIMIT", 600, 1, 1000000);
    cfg->voucher_miss_limit = read_uint(&r, "PARCERIA_VOUCHER_MISS_LIMIT", 30, 1, 1000000);
    cfg->replicas = read_uint(&r, "PARCERIA_REPLICAS", 1, 1, 1000);
    read_webhooks(&r, cfg);
    read_mail(&r, cfg);
    read_log(&r, cfg);
    *errors = r.errors;
    return r.errors == NULL;
}

void config_cleanup(struct config *cfg)
{
    free(cfg->database_url);
    free(cfg->bind_address);
    free(cfg->metrics_bind);
    free(cfg->jwt_alg);
    free(cfg->jwt_secret);
    free(cfg->jwt_private_key_file);
    free(cfg->jwt_public_key_file);
    free(cfg->jwt_issuer);
    free(cfg->jwt_audience);
    free(cfg->jwt_issuers_file);
    free(cfg->jwt_kid);
    free(cfg->jwt_verify_keys_file);
    free(cfg->admin_client_id);
    free(cfg->admin_client_secret);
    free(cfg->webhook_key);
    free(cfg->smtp_url);
    free(cfg->smtp_user);
    if (cfg->smtp_password != NULL)
        memset(cfg->smtp_password, 0, strlen(cfg->smtp_password));
    free(cfg->smtp_password);
    free(cfg->mail_from);
    free(cfg->public_url);
    free_list(cfg->cors_origins);
    free_list(cfg->trusted_proxies);
    memset(cfg, 0, sizeof *cfg);
}
