/* Webhook subscriptions' use cases (service_webhook.h), each one
 * transaction on the caller's connection, and their secrets' sealing.
 *
 * Secrets at rest: each is sealed with crypto_secretbox under a key that is
 * BLAKE2b-256, keyed with PARCERIA_WEBHOOK_KEY when configured, of a label
 * and the database's own random key (service_keys 'webhook_secrets',
 * migration 0012). Without the configured key the database alone opens
 * them (a copy of the table alone does not); with it, neither a copy of
 * the database nor the configuration alone does. */
#include "service_webhook.h"

#include "registrar.h"
#include "store_audit.h"
#include "store_registrar.h"
#include "util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const personal_fields[] = {"url", "description", NULL};

static char configured_key[256];
static bool allow_private;

void service_webhook_configure(const char *key, bool allow)
{
    snprintf(configured_key, sizeof configured_key, "%s", key ? key : "");
    allow_private = allow;
}

bool service_webhook_allow_private(void)
{
    return allow_private;
}

enum error_code service_webhook_url_check(const char *url)
{
    return webhook_url_check(url, allow_private);
}

/* The sealing key of this database (cached: a process serves one). */
static enum status secrets_key(PGconn *conn, unsigned char key[crypto_secretbox_KEYBYTES])
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static unsigned char cached[crypto_secretbox_KEYBYTES];
    static bool loaded;
    enum status st = ST_OK;
    pthread_mutex_lock(&lock);
    if (!loaded) {
        unsigned char db_key[32];
        static const char label[] = "parceria-webhook-secrets";
        st = store_webhook_db_key(conn, db_key);
        if (st == ST_OK) {
            crypto_generichash_state h;
            size_t klen = strlen(configured_key);
            crypto_generichash_init(
                &h, klen ? (const unsigned char *)configured_key : NULL,
                klen > crypto_generichash_KEYBYTES_MAX ? crypto_generichash_KEYBYTES_MAX : klen,
                sizeof cached);
            crypto_generichash_update(&h, (const unsigned char *)label, sizeof label);
            crypto_generichash_update(&h, db_key, sizeof db_key);
            crypto_generichash_final(&h, cached, sizeof cached);
            loaded = true;
        }
        sodium_memzero(db_key, sizeof db_key);
    }
    if (loaded)
        memcpy(key, cached, sizeof cached);
    pthread_mutex_unlock(&lock);
    return st;
}

/* A new secret: its text into shown, its sealed bytes stored. */
static enum status add_secret(PGconn *conn, const char *webhook_id,
                              struct webhook_secret_shown *shown)
{
    unsigned char raw[WEBHOOK_SECRET_BYTES], key[crypto_secretbox_KEYBYTES];
    unsigned char sealed[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + sizeof raw];
    enum status st = secrets_key(conn, key);
    if (st != ST_OK)
        return st;
    randombytes_buf(raw, sizeof raw);
    webhook_secret_text(raw, shown->secret);
    snprintf(shown->hint, sizeof shown->hint, "%.10s", shown->secret);
    randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, raw, sizeof raw, sealed, key);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(key, sizeof key);
    return store_webhook_secret_add(conn, webhook_id, sealed, sizeof sealed, shown->hint, shown->id,
                                    shown->created_at);
}

enum status service_webhook_keys(PGconn *conn, const char *id,
                                 unsigned char (**keys)[WEBHOOK_SECRET_BYTES], int *count)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    struct webhook_sealed *sealed = NULL;
    int n = 0;
    *keys = NULL;
    *count = 0;
    enum status st = secrets_key(conn, key);
    if (st == ST_OK)
        st = store_webhook_secrets_sealed(conn, id, &sealed, &n);
    if (st != ST_OK)
        goto out;
    *keys = xcalloc((size_t)n + 1, sizeof **keys);
    for (int i = 0; i < n && st == ST_OK; i++) {
        const unsigned char *s = sealed[i].bytes;
        if (sealed[i].len !=
                crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + WEBHOOK_SECRET_BYTES ||
            crypto_secretbox_open_easy((*keys)[i], s + crypto_secretbox_NONCEBYTES,
                                       sealed[i].len - crypto_secretbox_NONCEBYTES, s, key) != 0)
            st = ST_INVALID;
    }
    *count = st == ST_OK ? n : 0;
out:
    sodium_memzero(key, sizeof key);
    free(sealed);
    return st;
}

/* --- the kind ------------------------------------------------------------- */

static void cleanup(void *row)
{
    webhook_row_cleanup(row);
}

static const char *row_id(const void *row)
{
    return ((const struct webhook_row *)row)->id;
}

static int state(const void *row)
{
    return (int)((const struct webhook_row *)row)->status;
}

static int version(const void *row)
{
    return ((const struct webhook_row *)row)->version;
}

static enum status load(PGconn *conn, const char *id, bool lock, void *row)
{
    return store_webhook_get(conn, id, lock, row);
}

/* Staff's subscriptions belong to no registrar ("": a registrar never
 * matches it). */
static const char *owner(const void *row)
{
    return ((const struct webhook_row *)row)->registrar_id;
}

/* The audit record of a staff subscription concerns no registrar. */
static const char *concerns(const void *row)
{
    const char *r = owner(row);
    return r[0] ? r : NULL;
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    (void)outcome;
    return store_webhook_update(conn, row, next);
}

const struct service_kind service_webhook_kind = {
    .type = "webhook",
    .machine = &webhook_machine,
    .edit_action = WEBHOOK_ACT_EDIT,
    .row_size = sizeof(struct webhook_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .owner = owner,
    .concerns = concerns,
    .save = save,
    .list = store_webhook_list,
};

/* Loads the subscription id, locked, as the caller may see it. */
static enum status load_own(const struct service_call *call, const char *id,
                            struct webhook_row *row)
{
    enum status st = store_webhook_get(call->conn, id, true, row);
    if (st == ST_OK && call->registrar_id != NULL && strcmp(row->registrar_id, call->registrar_id))
        st = ST_NOT_FOUND;
    return st;
}

static enum status record(const struct service_call *call, const struct webhook_row *w,
                          const char *action, const char *secret_id)
{
    json_t *changes = secret_id ? json_pack("{s:s}", "secret_id", secret_id) : NULL;
    struct audit_entry e = {.action = action,
                            .resource_type = service_webhook_kind.type,
                            .resource_id = w->id,
                            .changes = changes,
                            .registrar_id = concerns(w)};
    enum status st = service_record(call, &e);
    json_decref(changes);
    return st;
}

/* --- creation --------------------------------------------------------------- */

struct create {
    const struct service_call *call;
    const struct webhook_row *in;
    struct webhook_row *out;
    struct webhook_secret_shown *secret;
    struct service_outcome *outcome;
};

static enum status owner_exists(const struct create *c)
{
    struct registrar_brief b;
    if (!c->in->registrar_id[0])
        return ST_OK;
    enum status st = store_registrar_brief(c->call->conn, c->in->registrar_id, &b);
    if (st == ST_NOT_FOUND || (st == ST_OK && b.status == REGISTRAR_TERMINATED))
        return service_field_refusal(c->outcome, "/registrar_id", ERR_UNKNOWN_REGISTRAR);
    return st;
}

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    webhook_row_cleanup(c->out);
    enum status st = owner_exists(c);
    if (st == ST_OK)
        st = store_webhook_insert(conn, c->in, c->out);
    if (st == ST_OK)
        st = add_secret(conn, c->out->id, c->secret);
    if (st == ST_OK) /* the row as read again, with its secret */
        st = store_webhook_get(conn, c->out->id, false, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_webhook_kind, "create", c->out)
                       : st;
}

enum status service_webhook_create(const struct service_call *call, const struct webhook_row *in,
                                   struct webhook_row *out, struct webhook_secret_shown *secret,
                                   struct service_outcome *outcome)
{
    struct create c = {call, in, out, secret, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

/* --- deletion and secrets ------------------------------------------------------ */

struct change {
    const struct service_call *call;
    const char *id;
    const char *secret_id;
    struct webhook_secret_shown *secret;
    struct webhook_delivery *delivery;
};

static enum status delete_tx(PGconn *conn, void *arg)
{
    struct change *c = arg;
    struct webhook_row w = {0};
    enum status st = load_own(c->call, c->id, &w);
    if (st == ST_OK)
        st = store_webhook_delete(conn, c->id, "the subscription was deleted");
    if (st == ST_OK)
        st = record(c->call, &w, "delete", NULL);
    webhook_row_cleanup(&w);
    return st;
}

enum status service_webhook_delete(const struct service_call *call, const char *id)
{
    struct change c = {.call = call, .id = id};
    return service_run(call, DB_READ_COMMITTED, delete_tx, &c);
}

static enum status secret_add_tx(PGconn *conn, void *arg)
{
    struct change *c = arg;
    struct webhook_row w = {0};
    int live = 0;
    enum status st = load_own(c->call, c->id, &w);
    if (st == ST_OK)
        st = store_webhook_secret_count(conn, c->id, &live);
    if (st == ST_OK && live >= WEBHOOK_MAX_SECRETS)
        st = ST_LIMIT;
    if (st == ST_OK)
        st = add_secret(conn, c->id, c->secret);
    if (st == ST_OK)
        st = record(c->call, &w, "add-secret", c->secret->id);
    webhook_row_cleanup(&w);
    return st;
}

enum status service_webhook_secret_add(const struct service_call *call, const char *id,
                                       struct webhook_secret_shown *secret)
{
    struct change c = {.call = call, .id = id, .secret = secret};
    return service_run(call, DB_READ_COMMITTED, secret_add_tx, &c);
}

static enum status secret_remove_tx(PGconn *conn, void *arg)
{
    struct change *c = arg;
    struct webhook_row w = {0};
    int live = 0;
    enum status st = load_own(c->call, c->id, &w);
    if (st == ST_OK)
        st = store_webhook_secret_revoke(conn, c->id, c->secret_id);
    if (st == ST_OK)
        st = store_webhook_secret_count(conn, c->id, &live);
    if (st == ST_OK && live == 0) /* the row lock keeps this count true */
        st = ST_LIMIT;
    if (st == ST_OK)
        st = record(c->call, &w, "remove-secret", c->secret_id);
    webhook_row_cleanup(&w);
    return st;
}

enum status service_webhook_secret_remove(const struct service_call *call, const char *id,
                                          const char *secret_id)
{
    struct change c = {.call = call, .id = id, .secret_id = secret_id};
    return service_run(call, DB_READ_COMMITTED, secret_remove_tx, &c);
}

/* --- deliveries ------------------------------------------------------------------ */

enum status service_webhook_deliveries(const struct service_call *call, const struct page_query *q,
                                       struct page_result *out)
{
    memset(out, 0, sizeof *out);
    return store_webhook_deliveries(call->conn, q, out);
}

static enum status redeliver_tx(PGconn *conn, void *arg)
{
    struct change *c = arg;
    struct webhook_row w = {0};
    enum status st = store_webhook_delivery_get(conn, c->id, true, c->delivery);
    if (st == ST_OK)
        st = load_own(c->call, c->delivery->webhook_id, &w);
    if (st == ST_OK && w.status != WEBHOOK_ACTIVE)
        st = ST_INVALID_STATE;
    if (st == ST_OK)
        st = store_webhook_redeliver(conn, c->id, c->delivery);
    if (st == ST_OK)
        st = record(c->call, &w, "redeliver", NULL);
    webhook_row_cleanup(&w);
    return st;
}

enum status service_webhook_redeliver(const struct service_call *call, const char *delivery_id,
                                      struct webhook_delivery *out)
{
    struct change c = {.call = call, .id = delivery_id, .delivery = out};
    return service_run(call, DB_READ_COMMITTED, redeliver_tx, &c);
}

/* --- the worker's ---------------------------------------------------------------- */

struct gone {
    const char *id, *reason, *message_id;
};

static enum status gone_tx(PGconn *conn, void *arg)
{
    struct gone *g = arg;
    struct webhook_row w = {0};
    bool changed = false;
    struct service_call call = {
        .conn = conn,
        .actor = {.sub = "parceria-worker", .role = "system", .request_id = g->message_id}};
    enum status st = store_webhook_disable(conn, g->id, g->reason, &changed);
    if (st == ST_OK && changed)
        st = store_webhook_get(conn, g->id, false, &w);
    if (st == ST_OK && changed) {
        struct audit_entry e = {.action = "disable",
                                .resource_type = service_webhook_kind.type,
                                .resource_id = w.id,
                                .from_status = "active",
                                .to_status = "disabled",
                                .reason = g->reason,
                                .registrar_id = concerns(&w)};
        st = service_record(&call, &e);
    }
    webhook_row_cleanup(&w);
    return st;
}

enum status service_webhook_gone(PGconn *conn, const char *id, const char *reason,
                                 const char *message_id)
{
    struct gone g = {id, reason, message_id};
    return db_tx(conn, NULL, gone_tx, &g);
}
