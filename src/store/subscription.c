/* Newsletter subscriptions, their confirmation tokens and consent records:
 * all their SQL, no rules. */
#include "store_subscription.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds since the last confirmation email (-1: none), never negative: a
 * twin transaction that began first (its now() earlier) may read the mail
 * the other one just queued. */
#define SINCE_MAIL                                                                                 \
    "CASE WHEN s.last_mail_at IS NULL THEN -1"                                                     \
    " ELSE greatest(0, floor(extract(epoch FROM now() - s.last_mail_at)))::bigint END"
#define SUB_STAMPS SQL_TS("s.created_at") ", " SQL_TS("s.updated_at")
#define SUB_COLUMNS                                                                                \
    "s.id::text, s.email, s.status, coalesce(s.consent_text_version, ''), coalesce(s.source, '')," \
    " coalesce(" SQL_TS("s.confirmed_at") ", ''), " SINCE_MAIL ", s.version, " SUB_STAMPS

/* The insert and the locked read are two statements: a twin request that
 * inserted first is waited for by the row lock, then read as it stands. */
static const char SQL_CLAIM_INSERT[] =
    "INSERT INTO newsletter_subscriptions (email) VALUES ($1) ON CONFLICT DO NOTHING";
static const char SQL_CLAIM_LOCK[] = "SELECT " SUB_COLUMNS " FROM newsletter_subscriptions s"
                                     " WHERE lower(s.email) = lower($1) FOR UPDATE";
static const char SQL_TOKEN[] =
    "WITH t AS (INSERT INTO newsletter_tokens (hash, subscription_id, consent_text_version,"
    " source, expires_at) VALUES ($2, $1::uuid, $3, $4, now() + make_interval(secs => $5::int)))"
    " UPDATE newsletter_subscriptions SET last_mail_at = now() WHERE id = $1::uuid";
static const char SQL_TAKE[] =
    "WITH t AS (UPDATE newsletter_tokens SET used_at = now() WHERE hash = $1 AND used_at IS NULL"
    " AND expires_at > now() RETURNING subscription_id, consent_text_version, source)"
    " SELECT " SUB_COLUMNS ", t.consent_text_version, t.source FROM t"
    " JOIN newsletter_subscriptions s ON s.id = t.subscription_id FOR UPDATE OF s";
static const char SQL_BY_UNSUBSCRIBE[] = "SELECT " SUB_COLUMNS " FROM newsletter_subscriptions s"
                                         " WHERE s.unsubscribe_token = $1 FOR UPDATE";
static const char SQL_CONFIRM[] =
    "UPDATE newsletter_subscriptions s SET status = 'confirmed', confirmed_at = now(),"
    " unsubscribed_at = NULL, consent_text_version = $2, source = $3,"
    " unsubscribe_token = coalesce(unsubscribe_token, $4), version = version + 1"
    " WHERE s.id = $1::uuid RETURNING " SUB_COLUMNS;
static const char SQL_UNSUBSCRIBE[] =
    "UPDATE newsletter_subscriptions s SET status = 'unsubscribed', unsubscribed_at = now(),"
    " version = version + 1 WHERE s.id = $1::uuid RETURNING " SUB_COLUMNS;
static const char SQL_CONSENT[] =
    "INSERT INTO newsletter_consents (subscription_id, event, consent_text_version, source,"
    " client_hash) VALUES ($1::uuid, $2, $3, $4, $5)";

const struct page_sort store_subscriber_sorts[STORE_SUBSCRIBER_SORTS] = {
    {"created_at", "s.created_at", "::timestamptz", SQL_TS_US("s.created_at")},
    {"confirmed_at", "s.confirmed_at", "::timestamptz", SQL_TS_US("s.confirmed_at")},
};

void store_subscription_row_cleanup(void *row)
{
    (void)row; /* owns nothing */
}

static void read_row(const PGresult *res, int i, void *out)
{
    struct subscription_row *r = out;
    memset(r, 0, sizeof *r);
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->email, res, i, 1);
    if (!newsletter_subscription_status_parse(PQgetvalue(res, i, 2), &r->status))
        r->status = SUBSCRIPTION_PENDING;
    STORE_COPY(r->consent_text_version, res, i, 3);
    STORE_COPY(r->source, res, i, 4);
    STORE_COPY(r->confirmed_at, res, i, 5);
    r->since_mail_s = atoll(PQgetvalue(res, i, 6));
    r->version = atoi(PQgetvalue(res, i, 7));
    STORE_COPY(r->created_at, res, i, 8);
    STORE_COPY(r->updated_at, res, i, 9);
}

enum status store_subscription_claim(PGconn *conn, const char *email, struct subscription_row *out)
{
    const char *p[] = {email};
    enum status st = db_exec(conn, SQL_CLAIM_INSERT, 1, p, NULL);
    return st == ST_OK ? store_rows_one(conn, SQL_CLAIM_LOCK, 1, p, read_row, out) : st;
}

enum status store_subscription_token(PGconn *conn, const char *id, const char *hash,
                                     const char *version, const char *source)
{
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", NEWSLETTER_TOKEN_TTL_S);
    const char *p[] = {id, hash, version, source, ttl};
    return db_exec(conn, SQL_TOKEN, 5, p, NULL);
}

struct taken {
    struct subscription_row *row;
    char **version, **source;
};

static void read_taken(const PGresult *res, int i, void *out)
{
    struct taken *t = out;
    read_row(res, i, t->row);
    *t->version = xstrdup(PQgetvalue(res, i, 10));
    *t->source = store_rows_text(res, i, 11);
}

enum status store_subscription_take_token(PGconn *conn, const char *hash,
                                          struct subscription_row *out, char **version,
                                          char **source)
{
    const char *p[] = {hash};
    struct taken t = {out, version, source};
    *version = *source = NULL;
    return store_rows_one(conn, SQL_TAKE, 1, p, read_taken, &t);
}

enum status store_subscription_by_unsubscribe(PGconn *conn, const char *token,
                                              struct subscription_row *out)
{
    const char *p[] = {token};
    return store_rows_one(conn, SQL_BY_UNSUBSCRIBE, 1, p, read_row, out);
}

enum status store_subscription_confirm(PGconn *conn, struct subscription_row *row,
                                       const char *version, const char *source,
                                       const char *new_token)
{
    const char *p[] = {row->id, version, source, new_token};
    return store_rows_one(conn, SQL_CONFIRM, 4, p, read_row, row);
}

enum status store_subscription_unsubscribe(PGconn *conn, struct subscription_row *row)
{
    const char *p[] = {row->id};
    return store_rows_one(conn, SQL_UNSUBSCRIBE, 1, p, read_row, row);
}

enum status store_subscription_consent(PGconn *conn, const char *id, const char *event,
                                       const char *version, const char *source,
                                       const char *client_hash)
{
    const char *p[] = {id, event, version, source, client_hash};
    return db_exec(conn, SQL_CONSENT, 5, p, NULL);
}

enum status store_subscriber_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " SUB_COLUMNS ", %s AS cursor_value,"
                             " s.id::text AS cursor_id FROM newsletter_subscriptions s",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE s.status = 'confirmed'"
                 " AND ($1::timestamptz IS NULL OR s.updated_at >= $1::timestamptz)",
        .id_expr = "s.id",
        .page = &q->page,
        .nparams = 1,
        .params = {q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct subscription_row), out);
    free(select);
    return st;
}
