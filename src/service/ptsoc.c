/* PTSOC security contacts (service_ptsoc.h). Every token is 32 random
 * bytes (util_secret), base64url in the email only; the database keeps its
 * SHA-256. Every change is audited: a round's start and finish, and each
 * verification's send, remind, verify and expire (whose notices email the
 * contact, the token coming with the change as mail_vars). */
#include "service_ptsoc.h"

#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_TYPE "security_contact_check"
#define VERIFICATION_TYPE "security_contact_verification"

static const char *const personal[] = {"email", NULL};

static void round_cleanup(struct ptsoc_round_row *row)
{
    store_ptsoc_round_cleanup(row);
}

SERVICE_ROW_ACCESSORS(struct ptsoc_round_row, round_cleanup, store_ptsoc_round_get)

const struct service_kind service_ptsoc_round_kind = {
    .type = ROUND_TYPE,
    .row_size = sizeof(struct ptsoc_round_row),
    SERVICE_ROW_KIND,
    .list = store_ptsoc_round_list,
};

/* Audits one verification's change, with the token its email carries. */
static enum status record_verification(const struct service_call *call, const char *id,
                                       const char *registrar_id, const char *action,
                                       const char *from, const char *to, const json_t *changes,
                                       const char *token)
{
    json_t *vars = token ? json_pack("{s:s}", "token", token) : NULL;
    struct audit_entry e = {.action = action,
                            .resource_type = VERIFICATION_TYPE,
                            .resource_id = id,
                            .from_status = from,
                            .to_status = to,
                            .changes = changes,
                            .personal = personal,
                            .registrar_id = registrar_id,
                            .mail_vars = vars};
    enum status st = service_record(call, &e);
    json_decref(vars);
    return st;
}

static enum status record_round(const struct service_call *call, const char *id, const char *action,
                                const char *from, const char *to)
{
    struct audit_entry e = {.action = action,
                            .resource_type = ROUND_TYPE,
                            .resource_id = id,
                            .from_status = from,
                            .to_status = to};
    return service_record(call, &e);
}

/* A new token in token, its hash in hash. */
static void new_token(char token[UTIL_SECRET_LEN + 1], char hash[65])
{
    util_secret(token);
    util_sha256_hex(token, strlen(token), hash);
}

struct start {
    const struct service_call *call;
    struct ptsoc_round_row *out;
};

static enum status send_one(const struct service_call *call, const char *check_id,
                            const struct ptsoc_target *t)
{
    char token[UTIL_SECRET_LEN + 1], hash[65], id[37];
    new_token(token, hash);
    enum status st = store_ptsoc_verification_add(call->conn, check_id, t, hash, id);
    json_t *changes =
        json_pack("{s:s, s:s, s:s}", "check_id", check_id, "type", t->type, "email", t->email);
    if (st == ST_OK)
        st = record_verification(call, id, t->registrar_id, "send", NULL,
                                 ptsoc_status_name(PTSOC_PENDING), changes, token);
    json_decref(changes);
    sodium_memzero(token, sizeof token);
    return st;
}

static enum status start_tx(PGconn *conn, void *arg)
{
    struct start *s = arg;
    char id[37];
    struct ptsoc_target *targets = NULL;
    int n = 0;
    enum status st = store_ptsoc_round_start(conn, id);
    if (st == ST_OK)
        st = record_round(s->call, id, "start", NULL, ptsoc_round_status_name(PTSOC_ROUND_RUNNING));
    if (st == ST_OK)
        st = store_ptsoc_targets(conn, &targets, &n);
    for (int i = 0; st == ST_OK && i < n; i++)
        st = send_one(s->call, id, &targets[i]);
    free(targets);
    return st == ST_OK ? store_ptsoc_round_get(conn, id, false, s->out) : st;
}

enum status service_ptsoc_start(const struct service_call *call, struct ptsoc_round_row *out)
{
    struct start s = {call, out};
    return service_run(call, DB_READ_COMMITTED, start_tx, &s);
}

struct confirm {
    const struct service_call *call;
    const char *token;
    struct ptsoc_verification_row *out;
    bool *found;
};

static enum status confirm_tx(PGconn *conn, void *arg)
{
    struct confirm *c = arg;
    char hash[65];
    util_sha256_hex(c->token, strlen(c->token), hash);
    enum status st = store_ptsoc_verify(conn, hash, c->out);
    *c->found = st == ST_OK;
    if (st == ST_NOT_FOUND)
        return ST_OK; /* nothing written but the caller's count */
    return st == ST_OK ? record_verification(c->call, c->out->id, c->out->registrar_id, "verify",
                                             ptsoc_status_name(PTSOC_PENDING),
                                             ptsoc_status_name(PTSOC_VERIFIED), NULL, NULL)
                       : st;
}

enum status service_ptsoc_confirm(const struct service_call *call, const char *token,
                                  struct ptsoc_verification_row *out, bool *found)
{
    struct confirm c = {call, token, out, found};
    return service_run(call, DB_READ_COMMITTED, confirm_tx, &c);
}

/* The chores act as the worker. */
static struct service_call chore_call(PGconn *conn)
{
    return (struct service_call){
        .conn = conn, .actor = {.sub = "parceria-worker", .role = "system", .request_id = "chore"}};
}

enum status service_ptsoc_remind(PGconn *conn, const char *at, long long *count)
{
    struct service_call call = chore_call(conn);
    struct ptsoc_pending *rows = NULL;
    int n = 0;
    enum status st = store_ptsoc_pending(conn, at, &rows, &n);
    for (int i = 0; st == ST_OK && i < n; i++) {
        if (!ptsoc_remind_due(PTSOC_PENDING, rows[i].age_s, rows[i].reminded) ||
            ptsoc_expire_due(PTSOC_PENDING, rows[i].age_s))
            continue;
        char token[UTIL_SECRET_LEN + 1], hash[65];
        new_token(token, hash);
        st = store_ptsoc_remind(conn, rows[i].id, hash, at);
        if (st == ST_OK)
            st = record_verification(&call, rows[i].id, rows[i].registrar_id, "remind", NULL,
                                     ptsoc_status_name(PTSOC_PENDING), NULL, token);
        sodium_memzero(token, sizeof token);
        if (st == ST_OK)
            (*count)++;
    }
    free(rows);
    return st;
}

enum status service_ptsoc_expire(PGconn *conn, const char *at, long long *count)
{
    struct service_call call = chore_call(conn);
    struct ptsoc_pending *rows = NULL;
    int n = 0;
    enum status st = store_ptsoc_pending(conn, at, &rows, &n);
    for (int i = 0; st == ST_OK && i < n; i++) {
        if (!ptsoc_expire_due(PTSOC_PENDING, rows[i].age_s))
            continue;
        st = store_ptsoc_expire(conn, rows[i].id, at);
        if (st == ST_OK)
            st = record_verification(&call, rows[i].id, rows[i].registrar_id, "expire",
                                     ptsoc_status_name(PTSOC_PENDING),
                                     ptsoc_status_name(PTSOC_UNREACHABLE), NULL, NULL);
        if (st == ST_OK)
            (*count)++;
    }
    free(rows);
    char(*done)[37] = NULL;
    int finished = 0;
    if (st == ST_OK)
        st = store_ptsoc_finish(conn, at, &done, &finished);
    for (int i = 0; st == ST_OK && i < finished; i++) {
        st = record_round(&call, done[i], "finish", ptsoc_round_status_name(PTSOC_ROUND_RUNNING),
                          ptsoc_round_status_name(PTSOC_ROUND_FINISHED));
        (*count)++;
    }
    free(done);
    return st;
}

enum status service_ptsoc_contacts(const struct service_call *call, const char *registrar_id,
                                   struct ptsoc_verification_row **out, int *n)
{
    return store_ptsoc_contacts(call->conn, registrar_id, out, n);
}

enum status service_ptsoc_unreachable(const struct service_call *call, const struct page_query *q,
                                      struct page_result *out)
{
    memset(out, 0, sizeof *out);
    return store_ptsoc_unreachable_list(call->conn, q, out);
}
