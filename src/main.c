/* The parceria command: serve the API, apply migrations, print the version.
 * Configuration is read once here and handed down. */
#include "api.h"
#include "config.h"
#include "db.h"
#include "db_flight.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "schema.h"
#include "service_checkpoint.h"
#include "service_chores.h"
#include "service_client.h"
#include "service_data_request.h"
#include "store_state.h"
#include "token.h"
#include "util.h"
#include "webhook_delivery.h"
#include "worker.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#ifndef PARCERIA_VERSION
#define PARCERIA_VERSION "0.0.0"
#endif
/* Clients whose buckets one replica remembers (24 bytes each). */
#define MAIN_RATE_BUCKETS 65536
/* State reads out at once (db_flight.h): 1 against 2 on 2 cores (bench/run
 * rows, alternating): as fast or faster, p99 as low or lower, half the
 * statements. */
#define MAIN_STATE_FLIGHTS_OUT 1

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

static int usage(void)
{
    fputs("usage: parceria serve | migrate | worker | tick [--at TIME] | version | routes |\n"
          "       token ROLE [options] | audit verify | retention [--apply] [--at TIME] |\n"
          "       personal-data\n"
          "  serve    answer the API (configuration from PARCERIA_* variables)\n"
          "  migrate  apply pending database migrations and exit, stopping before the first\n"
          "           one marked contract; `migrate --contract` applies those too, once no\n"
          "           older release runs (docs/operations.md)\n"
          "  worker   deliver the outbox (email, webhooks) until SIGTERM\n"
          "  tick     run the chores once (what the worker runs every minute) as of TIME\n"
          "           (RFC 3339 UTC, such as 2027-01-31T09:00:00Z; default: now), and print\n"
          "           what each did\n"
          "  audit verify  recompute every audit checkpoint from the audit log and the chain;\n"
          "           print `ok N checkpoints` (exit 0) or the first broken link (exit 1)\n"
          "  retention  count, per table, the personal data past its retention period as of\n"
          "           TIME (default: now); --apply erases it (DOMAIN.md; docs/operations.md)\n"
          "  personal-data  print where personal data is held, and the look-alike columns\n"
          "           that are not personal (store_personal_data.h)\n"
          "  version  print the version\n"
          "  routes   print the route table: method, path, roles that may call it, flags\n"
          "  token    print a token of ours for local use, signed with the configured key:\n"
          "           token ROLE [--sub S] [--registrar-id UUID] [--application-id UUID]\n"
          "                 [--entry-id UUID] [--ttl SECONDS]\n",
          stderr);
    return 2;
}

static bool load_config(struct config *cfg)
{
    char *errors = NULL;
    if (config_load(cfg, env_lookup, &errors))
        return true;
    fprintf(stderr, "parceria: bad configuration:\n%s", errors);
    free(errors);
    config_cleanup(cfg);
    return false;
}

static int run_migrate(const struct config *cfg, bool contract)
{
    PGconn *conn = db_connect(cfg->database_url, 600000);
    if (conn == NULL)
        return 1;
    bool ok = migrate_apply(conn, contract);
    PQfinish(conn);
    return ok ? 0 : 1;
}

/* Refuses to serve a database whose applied migrations differ from ours. A
 * database that does not answer yet is fine: /readyz reports it. */
static bool schema_acceptable(const struct config *cfg)
{
    PGconn *conn = db_connect(cfg->database_url, cfg->statement_timeout_ms);
    if (conn == NULL)
        return true;
    enum migrate_state state = MIGRATE_CURRENT;
    enum status st = migrate_check(conn, &state);
    PQfinish(conn);
    if (st == ST_OK && (state == MIGRATE_CHANGED || state == MIGRATE_UNKNOWN)) {
        fprintf(stderr, "parceria: refusing to start: %s\n", migrate_state_text(state));
        return false;
    }
    if (st == ST_OK && state == MIGRATE_PENDING)
        y_log_message(Y_LOG_LEVEL_WARNING, "migrations are pending: run `parceria migrate`");
    return true;
}

/* Creates the first admin client from PARCERIA_ADMIN_CLIENT_ID/SECRET when
 * the database has none. The secret itself is never logged. */
static void bootstrap_admin(const struct config *cfg, struct db_pool *pool)
{
    if (cfg->admin_client_id == NULL)
        return;
    char hash[65];
    util_sha256_hex(cfg->admin_client_secret, strlen(cfg->admin_client_secret), hash);
    PGconn *conn = NULL;
    bool created = false;
    enum status st = db_acquire(pool, &conn);
    if (st == ST_OK)
        st = service_client_bootstrap(conn, cfg->admin_client_id, hash, &created);
    db_release(pool, conn);
    if (st != ST_OK)
        y_log_message(Y_LOG_LEVEL_WARNING,
                      "bootstrap admin client not checked: database unavailable");
    else if (created)
        y_log_message(Y_LOG_LEVEL_INFO, "bootstrap admin client %s created", cfg->admin_client_id);
}

static struct token_keyring *load_keyring(const struct config *cfg)
{
    char *error = NULL;
    struct token_keyring *kr = token_keyring_load(cfg, &error);
    if (kr == NULL) {
        fprintf(stderr, "parceria: bad configuration:\n%s\n", error);
        free(error);
    }
    return kr;
}

static int run_serve(const struct config *cfg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct token_keyring *keyring = load_keyring(cfg);
    if (keyring == NULL || !schema_acceptable(cfg)) {
        token_keyring_free(keyring);
        return 1;
    }
    y_log_message(Y_LOG_LEVEL_INFO, "signing tokens with kid %s; %zu keys verify ours",
                  token_keyring_kid(keyring), token_keyring_keys(keyring));
    struct app app = {.cfg = cfg,
                      .keyring = keyring,
                      .limiter = ratelimit_new(MAIN_RATE_BUCKETS, cfg->replicas, NULL, NULL),
                      .pool = db_pool_new(cfg->database_url, cfg->db_pool_size, cfg->db_wait_ms,
                                          cfg->statement_timeout_ms)};
    db_pool_set_deadline(app.pool, cfg->statement_timeout_ms + cfg->db_deadline_margin_ms);
    app.state =
        db_flight_new(app.pool, store_state_read, STORE_STATE_MAX_ASKS, MAIN_STATE_FLIGHTS_OUT);
    webhook_configure(cfg);
    bootstrap_admin(cfg, app.pool);
    y_log_message(Y_LOG_LEVEL_INFO, "database pool: %u of %u connections open",
                  db_pool_open(app.pool), cfg->db_pool_size);
    metrics_init();
    struct api_server *server = api_server_start(&app);
    struct metrics_server *metrics = NULL;
    if (server != NULL && metrics_separate(cfg) && (metrics = metrics_server_start(&app)) == NULL) {
        api_server_stop(server);
        server = NULL;
    }
    int rc = 1;
    if (server == NULL)
        goto out;
    y_log_message(Y_LOG_LEVEL_INFO, "parceria %s listening on %s:%u", PARCERIA_VERSION,
                  cfg->bind_address, cfg->port);
    if (metrics != NULL)
        y_log_message(Y_LOG_LEVEL_INFO, "metrics on %s:%u", cfg->metrics_bind, cfg->metrics_port);
    int sig = 0;
    sigwait(&set, &sig);
    y_log_message(Y_LOG_LEVEL_INFO, "signal %d: finishing in-flight requests", sig);
    metrics_server_stop(metrics);
    api_server_stop(server);
    y_log_message(Y_LOG_LEVEL_INFO, "stopped");
    rc = 0;
out:
    db_flight_free(app.state);
    db_pool_free(app.pool);
    ratelimit_free(app.limiter);
    metrics_cleanup();
    token_keyring_free(keyring);
    return rc;
}

/* The outbox's deliveries, beside the API (worker.h). */
static int run_worker(const struct config *cfg)
{
    return schema_acceptable(cfg) ? worker_run(cfg) : 1;
}

static void tick_report(const char *name, enum status st, bool skipped, long long count, void *arg)
{
    (void)arg;
    if (st != ST_OK)
        printf("%s: failed\n", name);
    else if (skipped)
        printf("%s: skipped (another process is running it)\n", name);
    else
        printf("%s: %lld\n", name, count);
}

/* parceria tick [--at TIME]: the chores once, as of TIME (service_chores.h). */
static int run_tick(const struct config *cfg, int argc, char **argv)
{
    const char *at = NULL;
    if (argc == 4 && strcmp(argv[2], "--at") == 0 && schema_is_timestamp(argv[3]))
        at = argv[3];
    else if (argc != 2)
        return usage();
    if (!schema_acceptable(cfg))
        return 1;
    struct db_pool *pool =
        db_pool_new(cfg->database_url, 1, cfg->db_wait_ms, cfg->statement_timeout_ms);
    PGconn *conn = NULL;
    enum status st = db_acquire(pool, &conn);
    if (st == ST_OK)
        st = service_chores_run(conn, at, tick_report, NULL);
    else
        fputs("parceria: the database cannot be reached\n", stderr);
    db_release(pool, conn);
    db_pool_free(pool);
    return st == ST_OK ? 0 : 1;
}

static void retention_report(const struct retention_rule *rule, long long count, void *arg)
{
    printf("%s: %lld (%s)\n", rule->table, count, rule->what);
    (void)arg;
}

/* parceria retention [--apply] [--at TIME]: a dry run unless --apply. */
static int run_retention(const struct config *cfg, int argc, char **argv)
{
    const char *at = NULL;
    bool apply = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--apply") == 0 && !apply)
            apply = true;
        else if (strcmp(argv[i], "--at") == 0 && at == NULL && i + 1 < argc &&
                 schema_is_timestamp(argv[i + 1]))
            at = argv[++i];
        else
            return usage();
    }
    if (!schema_acceptable(cfg))
        return 1;
    struct db_pool *pool =
        db_pool_new(cfg->database_url, 1, cfg->db_wait_ms, cfg->statement_timeout_ms);
    PGconn *conn = NULL;
    enum status st = db_acquire(pool, &conn);
    if (st == ST_OK) {
        printf("%s\n", apply ? "retention: erasing" : "retention: dry run (--apply erases)");
        st = service_retention_run(conn, at, apply, retention_report, NULL);
        if (st != ST_OK)
            fputs("parceria: retention failed; nothing was erased\n", stderr);
    } else {
        fputs("parceria: the database cannot be reached\n", stderr);
    }
    db_release(pool, conn);
    db_pool_free(pool);
    return st == ST_OK ? 0 : 1;
}

/* parceria audit verify: every checkpoint recomputed (service_checkpoint.h). */
static int run_audit_verify(const struct config *cfg)
{
    if (!schema_acceptable(cfg))
        return 1;
    struct db_pool *pool =
        db_pool_new(cfg->database_url, 1, cfg->db_wait_ms, cfg->statement_timeout_ms);
    PGconn *conn = NULL;
    long long checked = 0, broken = 0;
    char why[160];
    enum status st = db_acquire(pool, &conn);
    if (st == ST_OK)
        st = service_checkpoint_verify(conn, &checked, &broken, why);
    else
        fputs("parceria: the database cannot be reached\n", stderr);
    db_release(pool, conn);
    db_pool_free(pool);
    if (st != ST_OK) {
        fputs("parceria: audit verify failed to read the log\n", stderr);
        return 1;
    }
    if (broken < 0)
        printf("broken: %s\n", why);
    else if (broken != 0)
        printf("broken: checkpoint %lld: %s\n", broken, why);
    if (broken != 0)
        return 1;
    printf("ok %lld checkpoints\n", checked);
    return 0;
}

/* parceria token ROLE [--sub S] [--registrar-id ID] [--application-id ID]
 * [--entry-id ID] [--ttl SECONDS] */
static int run_token(const struct config *cfg, int argc, char **argv)
{
    struct token_claims c = {.role = principal_role_from(argv[2]),
                             .sub = "local-developer",
                             .ttl = (long)cfg->token_ttl};
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--sub") == 0)
            c.sub = argv[i + 1];
        else if (strcmp(argv[i], "--registrar-id") == 0)
            c.registrar_id = argv[i + 1];
        else if (strcmp(argv[i], "--application-id") == 0)
            c.application_id = argv[i + 1];
        else if (strcmp(argv[i], "--entry-id") == 0)
            c.entry_id = argv[i + 1];
        else if (strcmp(argv[i], "--ttl") == 0)
            c.ttl = atol(argv[i + 1]);
        else
            return usage();
    }
    if ((argc - 3) % 2 != 0 || c.ttl <= 0)
        return usage();
    struct token_keyring *kr = load_keyring(cfg);
    if (kr == NULL)
        return 1;
    char *token = token_mint(kr, &c, (long)time(NULL));
    token_keyring_free(kr);
    if (token == NULL) {
        fprintf(stderr,
                "parceria: cannot mint: check the role (admin, staff, registrar, applicant), "
                "the id it needs (registrar: --registrar-id, applicant: --application-id) and "
                "--ttl (at most PARCERIA_TOKEN_TTL, %u s)\n",
                cfg->token_ttl);
        return 2;
    }
    printf("%s\n", token);
    free(token);
    return 0;
}

int main(int argc, char **argv)
{
    bool token = argc >= 3 && strcmp(argv[1], "token") == 0;
    bool tick = argc >= 2 && strcmp(argv[1], "tick") == 0;
    bool audit = argc == 3 && strcmp(argv[1], "audit") == 0 && strcmp(argv[2], "verify") == 0;
    bool retention = argc >= 2 && strcmp(argv[1], "retention") == 0;
    bool contract =
        argc == 3 && strcmp(argv[1], "migrate") == 0 && strcmp(argv[2], "--contract") == 0;
    if (argc != 2 && !token && !tick && !audit && !retention && !contract)
        return usage();
    if (strcmp(argv[1], "personal-data") == 0) {
        store_personal_data_print(stdout);
        return 0;
    }
    if (strcmp(argv[1], "version") == 0) {
        printf("parceria %s\n", PARCERIA_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "routes") == 0) {
        api_routes_print(stdout);
        return 0;
    }
    if (strcmp(argv[1], "serve") != 0 && strcmp(argv[1], "migrate") != 0 &&
        strcmp(argv[1], "worker") != 0 && !token && !tick && !audit && !retention)
        return usage();
    util_install_allocators();
    if (sodium_init() < 0) {
        fputs("parceria: libsodium failed to initialise\n", stderr);
        return 1;
    }
    struct config cfg;
    if (!load_config(&cfg))
        return 1;
    log_init(cfg.log_level, cfg.log_format);
    int rc = token                            ? run_token(&cfg, argc, argv)
             : strcmp(argv[1], "serve") == 0  ? run_serve(&cfg)
             : tick                           ? run_tick(&cfg, argc, argv)
             : audit                          ? run_audit_verify(&cfg)
             : retention                      ? run_retention(&cfg, argc, argv)
             : strcmp(argv[1], "worker") == 0 ? run_worker(&cfg)
                                              : run_migrate(&cfg, contract);
    log_close();
    config_cleanup(&cfg);
    return rc;
}
