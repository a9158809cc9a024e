/* The tamper-evident activity log's use cases (service_checkpoint.h). */
#include "service_checkpoint.h"

#include "store_registrar.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t num(const char *s)
{
    return s ? strtoull(s, NULL, 10) : 0;
}

/* The leaves of n events (a new array, free()). */
static unsigned char (*leaves_of(const struct checkpoint_event *e, int n))[AUDIT_LOG_HASH]
{
    unsigned char(*leaves)[AUDIT_LOG_HASH] = xcalloc((size_t)n + 1, AUDIT_LOG_HASH);
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        unsigned char *c = audit_log_canonical((const char *const *)e[i].v, &len);
        audit_log_leaf(c, len, leaves[i]);
        free(c);
    }
    return leaves;
}

static void position_of(const struct checkpoint_event *e, struct change_position *p)
{
    snprintf(p->txid, sizeof p->txid, "%s", e->v[2]);
    snprintf(p->seq, sizeof p->seq, "%s", e->v[1]);
}

/* The checkpoint over events e[0..n) after prev (NULL: the first). */
static void compute(const struct checkpoint *prev, const struct checkpoint_event *e, int n,
                    struct checkpoint *cp)
{
    unsigned char(*leaves)[AUDIT_LOG_HASH] = leaves_of(e, n);
    unsigned char root[AUDIT_LOG_HASH], previous[AUDIT_LOG_HASH] = {0}, hash[AUDIT_LOG_HASH];
    audit_log_root((const unsigned char(*)[AUDIT_LOG_HASH])leaves, (size_t)n, root);
    free(leaves);
    if (prev != NULL && !audit_log_unhex(prev->hash, previous))
        memset(previous, 0, sizeof previous);
    position_of(&e[0], &cp->first);
    position_of(&e[n - 1], &cp->last);
    cp->count = n;
    struct audit_log_span span = {num(cp->first.txid), num(cp->first.seq), num(cp->last.txid),
                                  num(cp->last.seq), (uint64_t)n};
    audit_log_checkpoint_hash(previous, root, &span, hash);
    audit_log_hex(previous, cp->previous_hash);
    audit_log_hex(root, cp->merkle_root);
    audit_log_hex(hash, cp->hash);
}

struct make {
    const char *at; /* the chore's time, or NULL on demand */
    bool hourly;    /* only when none is younger than an hour */
    struct checkpoint *out;
    bool *created; /* set inside the transaction: the answer renders before COMMIT */
    bool found;
};

static enum status make_tx(PGconn *conn, void *arg)
{
    struct make *m = arg;
    struct checkpoint prev = {0};
    bool have = false, due = true;
    *m->created = m->found = false;
    enum status st = store_checkpoint_lock(conn);
    if (st == ST_OK)
        st = store_checkpoint_newest(conn, &prev, &have);
    if (st == ST_OK && m->hourly)
        st = store_checkpoint_due(conn, m->at, &due);
    if (st != ST_OK || !due)
        return st;
    struct change_position after = {"0", "0"};
    if (have)
        after = prev.last;
    struct checkpoint_event *e = NULL;
    int n = 0;
    st = store_checkpoint_pending(conn, &after, CHECKPOINT_MAX_EVENTS, &e, &n);
    if (st == ST_OK && n > 0) {
        struct checkpoint cp = {.id = have ? prev.id + 1 : 1};
        compute(have ? &prev : NULL, e, n, &cp);
        st = store_checkpoint_insert(conn, &cp, m->at);
        if (st == ST_OK) {
            *m->out = cp;
            *m->created = m->found = true;
        }
    } else if (st == ST_OK && have) {
        *m->out = prev;
        m->found = true;
    }
    store_checkpoint_events_free(e, n);
    return st;
}

enum status service_checkpoint_chore(PGconn *conn, const char *at, long long *count)
{
    struct checkpoint cp;
    bool created = false;
    struct make m = {.at = at, .hourly = true, .out = &cp, .created = &created};
    enum status st = make_tx(conn, &m);
    *count = 0;
    /* A backlog over the cap: the next ones now, in the same transaction. */
    for (m.hourly = false; st == ST_OK && created; st = make_tx(conn, &m))
        ++*count;
    return st;
}

enum status service_checkpoint_create(const struct service_call *call, struct checkpoint *out,
                                      bool *created)
{
    struct make m = {.at = NULL, .hourly = false, .out = out, .created = created};
    enum status st = service_run(call, DB_READ_COMMITTED, make_tx, &m);
    return st == ST_OK && !m.found ? ST_NOT_FOUND : st;
}

enum status service_checkpoint_list(const struct service_call *call, const struct page_query *q,
                                    struct page_result *out)
{
    return store_checkpoint_page(call->conn, q, out);
}

enum status service_checkpoint_get(const struct service_call *call, long long id,
                                   struct checkpoint *out)
{
    return store_checkpoint_get(call->conn, id, out);
}

struct verify {
    long long checked, broken;
    char *why;
};

/* One checkpoint against the records between the previous one's last
 * position and its own, and against the previous hash. */
static bool verify_one(PGconn *conn, const struct checkpoint *prev, const struct checkpoint *cp,
                       char why[160], enum status *st)
{
    struct change_position after = {"0", "0"};
    if (prev != NULL)
        after = prev->last;
    struct checkpoint_event *e = NULL;
    int n = 0;
    *st = store_checkpoint_range(conn, &after, &cp->last, &e, &n);
    if (*st != ST_OK)
        return store_checkpoint_events_free(e, n), true;
    struct checkpoint again = {0};
    bool ok = false;
    if (cp->id != (prev ? prev->id + 1 : 1))
        snprintf(why, 160, "a checkpoint is missing before it");
    else if (n == 0)
        snprintf(why, 160, "none of its events are left");
    else if (compute(prev, e, n, &again), strcmp(again.previous_hash, cp->previous_hash) != 0)
        snprintf(why, 160, "its previous hash is not the previous checkpoint's hash");
    else if (again.count != cp->count)
        snprintf(why, 160, "it covered %lld events, %lld are there now", cp->count, again.count);
    else if (strcmp(again.first.txid, cp->first.txid) != 0 ||
             strcmp(again.first.seq, cp->first.seq) != 0)
        snprintf(why, 160, "its first event is not the one it covered");
    else if (strcmp(again.merkle_root, cp->merkle_root) != 0)
        snprintf(why, 160, "its Merkle root differs: one of its events was changed");
    else if (strcmp(again.hash, cp->hash) != 0)
        snprintf(why, 160, "its hash differs from the recomputed one");
    else
        ok = true;
    store_checkpoint_events_free(e, n);
    return ok;
}

static enum status verify_tx(PGconn *conn, void *arg)
{
    struct verify *v = arg;
    struct checkpoint prev = {0};
    bool have = false, ahead = false;
    v->checked = v->broken = 0;
    enum status checked = store_checkpoint_log_ahead(conn, &ahead);
    if (checked != ST_OK)
        return checked;
    if (ahead) {
        v->broken = -1;
        snprintf(v->why, 160,
                 "the log's newest record has a transaction id this cluster has not "
                 "reached: restored without moving the ids past it?");
        return ST_OK;
    }
    for (;;) {
        struct checkpoint *page = NULL;
        int n = 0;
        enum status st = store_checkpoint_after(conn, have ? prev.id : 0, 100, &page, &n);
        for (int i = 0; st == ST_OK && i < n; i++) {
            v->checked++;
            if (!verify_one(conn, have ? &prev : NULL, &page[i], v->why, &st) && st == ST_OK) {
                v->broken = page[i].id;
                free(page);
                return ST_OK;
            }
            prev = page[i];
            have = true;
        }
        free(page);
        if (st != ST_OK || n == 0)
            return st;
    }
}

enum status service_checkpoint_verify(PGconn *conn, long long *checked, long long *broken,
                                      char why[160])
{
    struct db_tx_opts opts = {.isolation = DB_SNAPSHOT};
    struct verify v = {.why = why};
    why[0] = '\0';
    enum status st = db_tx(conn, &opts, verify_tx, &v);
    *checked = v.checked;
    *broken = v.broken;
    return st;
}

struct activity {
    const char *registrar_id;
    const struct change_position *after;
    int limit;
    struct activity_item **out;
    int *count;
};

/* The proofs of the items checkpointed in cp: its records as they are now,
 * the leaves, each item's index and path. */
static enum status prove(PGconn *conn, const struct checkpoint *cp, struct activity_item *items,
                         int count)
{
    struct checkpoint prev = {0};
    struct change_position after = {"0", "0"};
    enum status st = ST_OK;
    if (cp->id > 1 && (st = store_checkpoint_get(conn, cp->id - 1, &prev)) != ST_OK)
        return st;
    if (cp->id > 1)
        after = prev.last;
    struct checkpoint_event *e = NULL;
    int n = 0;
    if ((st = store_checkpoint_range(conn, &after, &cp->last, &e, &n)) != ST_OK)
        return store_checkpoint_events_free(e, n), st;
    unsigned char(*leaves)[AUDIT_LOG_HASH] = leaves_of(e, n);
    unsigned char path[AUDIT_LOG_MAX_PATH][AUDIT_LOG_HASH];
    for (int i = 0; i < count; i++) {
        struct activity_item *it = &items[i];
        if (it->ev.checkpoint_id != cp->id || it->proved)
            continue;
        for (int j = 0; j < n; j++) {
            if (strcmp(e[j].v[0], it->ev.v[0]) != 0)
                continue;
            it->proved = true;
            it->cp = *cp;
            it->index = j;
            it->path_len = audit_log_path((const unsigned char(*)[AUDIT_LOG_HASH])leaves, (size_t)n,
                                          (size_t)j, path);
            for (size_t k = 0; k < it->path_len; k++)
                audit_log_hex(path[k], it->path[k]);
            break;
        }
    }
    free(leaves);
    store_checkpoint_events_free(e, n);
    return ST_OK;
}

static enum status activity_tx(PGconn *conn, void *arg)
{
    struct activity *a = arg;
    struct registrar_brief brief;
    enum status st = store_registrar_brief(conn, a->registrar_id, &brief);
    struct checkpoint_event *e = NULL;
    int n = 0;
    if (st == ST_OK)
        st = store_checkpoint_activity(conn, a->registrar_id, a->after, a->limit, &e, &n);
    if (st != ST_OK)
        return store_checkpoint_events_free(e, n), st;
    struct activity_item *items = xcalloc((size_t)n + 1, sizeof *items);
    for (int i = 0; i < n; i++) {
        items[i].ev = e[i];
        unsigned char leaf[AUDIT_LOG_HASH];
        items[i].canonical =
            audit_log_canonical((const char *const *)e[i].v, &items[i].canonical_len);
        audit_log_leaf(items[i].canonical, items[i].canonical_len, leaf);
        audit_log_hex(leaf, items[i].leaf);
    }
    free(e); /* the texts now belong to the items */
    for (int i = 0; st == ST_OK && i < n; i++) {
        if (items[i].ev.checkpoint_id == 0 || items[i].proved)
            continue;
        struct checkpoint cp;
        st = store_checkpoint_get(conn, items[i].ev.checkpoint_id, &cp);
        if (st == ST_OK)
            st = prove(conn, &cp, items, n);
    }
    if (st != ST_OK)
        return service_checkpoint_activity_free(items, n), st;
    *a->out = items;
    *a->count = n;
    return ST_OK;
}

enum status service_checkpoint_activity(const struct service_call *call, const char *registrar_id,
                                        const struct change_position *after, int limit,
                                        struct activity_item **out, int *count)
{
    struct activity a = {registrar_id, after, limit, out, count};
    struct db_tx_opts opts = {.isolation = DB_SNAPSHOT};
    *out = NULL;
    *count = 0;
    return db_tx(call->conn, &opts, activity_tx, &a);
}

void service_checkpoint_activity_free(struct activity_item *items, int count)
{
    for (int i = 0; items != NULL && i < count; i++) {
        for (int j = 0; j < AUDIT_LOG_FIELDS; j++)
            free(items[i].ev.v[j]);
        free(items[i].canonical);
    }
    free(items);
}
