/* The service configuration: every PARCERIA_* variable, read once at start-up
 * and checked as a whole. Nothing else in the program calls getenv. */
#ifndef PARCERIA_CONFIG_H
#define PARCERIA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

enum config_log_format { CONFIG_LOG_TEXT, CONFIG_LOG_JSON };

struct config {
    char *database_url;
    char *bind_address;
    unsigned port;
    char *metrics_bind; /* NULL: same address and port as the API */
    unsigned metrics_port;
    char *jwt_alg; /* HS256, ES256 or RS256 */
    char *jwt_secret;
    char *jwt_private_key_file;
    char *jwt_public_key_file;
    char *jwt_issuer;
    char *jwt_audience;
    char *jwt_issuers_file;
    char *jwt_kid;              /* our signing key's id; NULL: derived from the key */
    char *jwt_verify_keys_file; /* keys of ours that still verify but never sign */
    unsigned token_ttl;
    char *admin_client_id;
    char *admin_client_secret;
    unsigned db_pool_size;
    unsigned db_wait_ms;
    unsigned statement_timeout_ms;
    unsigned db_deadline_margin_ms; /* a call is cancelled at statement timeout + this */
    unsigned threads;
    size_t max_body_bytes;
    unsigned connections_per_address; /* open connections one peer address may hold */
    unsigned header_timeout_ms;       /* to receive a request's headers (and keep-alive idle) */
    unsigned body_min_rate;           /* bytes per second a body must keep up, on average */
    unsigned request_timeout_ms;      /* to receive a request and send its answer */
    char **cors_origins;              /* NULL-terminated; empty list when unset */
    unsigned public_rate_limit;
    unsigned client_rate_limit;
    unsigned voucher_miss_limit; /* voucher codes a caller may miss per hour */
    unsigned replicas;      /* serve processes sharing the client limit, each enforcing its share */
    char **trusted_proxies; /* NULL-terminated list of addresses */
    bool webhook_allow_private; /* tests only: webhooks may target private addresses, over http */
    char *webhook_key;          /* the configured part of the webhook secrets' key, or NULL */
    char *smtp_url;             /* smtp:// or smtps://; NULL: mail is off (held in the outbox) */
    char *smtp_user;            /* with smtp_password, or neither */
    char *smtp_password;
    char *mail_from;         /* the sender's address */
    char *public_url;        /* the https base of links in emails, no trailing slash */
    unsigned long log_level; /* a Y_LOG_LEVEL_* value */
    enum config_log_format log_format;
};

/* Reads the environment through lookup (getenv in production, a table in tests).
 * On success fills cfg and returns true. Otherwise writes one line per bad
 * variable, naming it, to errors (a new string the caller frees) and returns false. */
bool config_load(struct config *cfg, const char *(*lookup)(const char *name), char **errors);
void config_cleanup(struct config *cfg);

#endif
