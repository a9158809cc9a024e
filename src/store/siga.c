/* SIGA proposals, votes and comments: all their SQL, no rules. The counts
 * of votes and comments are the triggers' (migration 0016). */
#include "store_siga.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAMPS SQL_TS("created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")
/* voted: an SQL boolean, the caller's vote where the query knows the caller */
#define PROPOSAL_COLUMNS(voted)                                                                    \
    "siga_proposals.id::text, title, description, area,"                                           \
    " coalesce(author_registrar_id::text, ''), status, status_note, votes, comments, " voted       \
    ", version, " STAMPS

static const char SQL_GET[] =
    "SELECT " PROPOSAL_COLUMNS("false") " FROM siga_proposals WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " PROPOSAL_COLUMNS("false") " FROM siga_proposals WHERE id = $1::uuid FOR UPDATE";
static const char SQL_VOTED[] =
    "SELECT 1 FROM siga_votes WHERE proposal_id = $1::uuid AND registrar_id = $2::uuid";
static const char SQL_INSERT[] =
    "INSERT INTO siga_proposals (title, description, area, author_registrar_id)"
    " VALUES ($1, $2, $3, nullif($4, '')::uuid) RETURNING " PROPOSAL_COLUMNS("false");
static const char SQL_UPDATE[] =
    "UPDATE siga_proposals SET title = $2, description = $3, area = $4, version = version + 1"
    " WHERE id = $1::uuid AND version = $5::int RETURNING " PROPOSAL_COLUMNS("false");
static const char SQL_MOVE[] =
    "UPDATE siga_proposals SET status = $2, status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " PROPOSAL_COLUMNS("false");
static const char SQL_NOTE[] = "UPDATE siga_proposals SET status_note = $2, version = version + 1"
                               " WHERE id = $1::uuid RETURNING " PROPOSAL_COLUMNS("false");
/* Idempotent by the primary key: a vote already cast inserts nothing. */
static const char SQL_VOTE[] = "INSERT INTO siga_votes (proposal_id, registrar_id)"
                               " VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING RETURNING 1";
static const char SQL_UNVOTE[] = "DELETE FROM siga_votes WHERE proposal_id = $1::uuid"
                                 " AND registrar_id = $2::uuid RETURNING 1";

const struct page_sort store_siga_sorts[STORE_SIGA_SORTS] = {
    {"created_at", "siga_proposals.created_at", "::timestamptz",
     SQL_TS_US("siga_proposals.created_at")},
    {"updated_at", "siga_proposals.updated_at", "::timestamptz",
     SQL_TS_US("siga_proposals.updated_at")},
    {"votes", "siga_proposals.vote_rank", "::numeric", "siga_proposals.vote_rank::text"},
};

static void read_proposal(const PGresult *res, int i, void *out)
{
    struct siga_proposal_row *p = out;
    siga_proposal_row_cleanup(p);
    memset(p, 0, sizeof *p);
    STORE_COPY(p->id, res, i, 0);
    STORE_COPY(p->title, res, i, 1);
    p->description = store_rows_text(res, i, 2);
    if (!siga_area_parse(PQgetvalue(res, i, 3), &p->area))
        p->area = SIGA_AREA_OTHER; /* the column's CHECK allows no other value */
    STORE_COPY(p->author_registrar_id, res, i, 4);
    if (!siga_status_parse(PQgetvalue(res, i, 5), &p->status))
        p->status = SIGA_DECLINED;
    p->status_note = store_rows_text(res, i, 6);
    p->votes = atoi(PQgetvalue(res, i, 7));
    p->comments = atoi(PQgetvalue(res, i, 8));
    p->voted_by_me = PQgetvalue(res, i, 9)[0] == 't';
    p->version = atoi(PQgetvalue(res, i, 10));
    STORE_COPY(p->created_at, res, i, 11);
    STORE_COPY(p->updated_at, res, i, 12);
    STORE_COPY(p->status_changed_at, res, i, 13);
}

enum status store_siga_get(PGconn *conn, const char *id, bool lock, struct siga_proposal_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_proposal, out);
}

enum status store_siga_voted(PGconn *conn, const char *id, const char *registrar_id, bool *voted)
{
    const char *p[] = {id, registrar_id};
    return store_rows_exists(conn, SQL_VOTED, 2, p, voted);
}

enum status store_siga_insert(PGconn *conn, const struct siga_proposal_row *in,
                              struct siga_proposal_row *out)
{
    const char *p[] = {in->title, in->description, siga_area_name(in->area),
                       in->author_registrar_id};
    return store_rows_one(conn, SQL_INSERT, 4, p, read_proposal, out);
}

enum status store_siga_update(PGconn *conn, struct siga_proposal_row *row,
                              const struct siga_proposal_row *next)
{
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->id, next->title, next->description, siga_area_name(next->area),
                       version};
    enum status st = store_rows_one(conn, SQL_UPDATE, 5, p, read_proposal, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_siga_move(PGconn *conn, struct siga_proposal_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_proposal, row);
}

enum status store_siga_note(PGconn *conn, struct siga_proposal_row *row, const char *note)
{
    char id[37];
    snprintf(id, sizeof id, "%s", row->id);
    const char *p[] = {id, note};
    return store_rows_one(conn, SQL_NOTE, 2, p, read_proposal, row);
}

enum status store_siga_vote(PGconn *conn, const char *id, const char *registrar_id, bool cast,
                            bool *changed)
{
    const char *p[] = {id, registrar_id};
    return store_rows_exists(conn, cast ? SQL_VOTE : SQL_UNVOTE, 2, p, changed);
}

/* The caller's vote is $3 (NULL for staff): the where clause names it too,
 * so that the total's count, which runs the where alone, knows its type. */
#define PROPOSAL_VOTED                                                                             \
    "($3::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM siga_votes v"                                 \
    " WHERE v.proposal_id = siga_proposals.id AND v.registrar_id = $3::uuid))"

enum status store_siga_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " PROPOSAL_COLUMNS(PROPOSAL_VOTED) ", %s AS cursor_value,"
                                                                        " siga_proposals.id::text "
                                                                        "AS cursor_id FROM "
                                                                        "siga_proposals",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? area)"
                 " AND ($3::uuid IS NULL OR $3::uuid IS NOT NULL)"
                 " AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)",
        .id_expr = "siga_proposals.id",
        .from = " FROM siga_proposals",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_SIGA_STATUS], q->filters[STORE_SIGA_AREA],
                   q->filters[STORE_SIGA_VOTER], q->page.updated_since},
    };
    enum status st =
        store_rows_page(conn, &sq, read_proposal, sizeof(struct siga_proposal_row), out);
    free(select);
    return st;
}

/* --- comments ------------------------------------------------------------ */

#define STRINGIFY(x) #x
#define MINUTES(n) "interval '" STRINGIFY(n) " minutes'"
#define COMMENT_COLUMNS                                                                            \
    "siga_comments.id::text, proposal_id::text, coalesce(author_registrar_id::text, ''), body,"    \
    " status, hidden_reason, coalesce(" SQL_TS(                                                    \
        "edited_at") ", ''),"                                                                      \
                     " created_at > now() - " MINUTES(                                             \
                         SIGA_EDIT_WINDOW_MINUTES) ", version, " STAMPS

static const char SQL_COMMENT_GET[] =
    "SELECT " COMMENT_COLUMNS " FROM siga_comments WHERE id = $1::uuid";
static const char SQL_COMMENT_GET_LOCK[] =
    "SELECT " COMMENT_COLUMNS " FROM siga_comments WHERE id = $1::uuid FOR UPDATE";
static const char SQL_COMMENT_INSERT[] =
    "INSERT INTO siga_comments (proposal_id, author_registrar_id, body)"
    " VALUES ($1::uuid, nullif($2, '')::uuid, $3) RETURNING " COMMENT_COLUMNS;
static const char SQL_COMMENT_UPDATE[] =
    "UPDATE siga_comments SET body = $2, version = version + 1,"
    " edited_at = CASE WHEN body IS DISTINCT FROM $2 THEN now() ELSE edited_at END"
    " WHERE id = $1::uuid AND version = $3::int RETURNING " COMMENT_COLUMNS;
static const char SQL_COMMENT_MOVE[] =
    "UPDATE siga_comments SET status = $2, hidden_reason = $3, status_changed_at = now(),"
    " version = version + 1 WHERE id = $1::uuid RETURNING " COMMENT_COLUMNS;

const struct page_sort store_siga_comment_sorts[STORE_SIGA_COMMENT_SORTS] = {
    {"created_at", "siga_comments.created_at", "::timestamptz",
     SQL_TS_US("siga_comments.created_at")},
};

static void read_comment(const PGresult *res, int i, void *out)
{
    struct siga_comment_row *c = out;
    siga_comment_row_cleanup(c);
    memset(c, 0, sizeof *c);
    STORE_COPY(c->id, res, i, 0);
    STORE_COPY(c->proposal_id, res, i, 1);
    STORE_COPY(c->author_registrar_id, res, i, 2);
    c->body = store_rows_text(res, i, 3);
    if (!siga_comment_status_parse(PQgetvalue(res, i, 4), &c->status))
        c->status = SIGA_COMMENT_HIDDEN;
    c->hidden_reason = store_rows_text(res, i, 5);
    STORE_COPY(c->edited_at, res, i, 6);
    c->in_window = PQgetvalue(res, i, 7)[0] == 't';
    c->version = atoi(PQgetvalue(res, i, 8));
    STORE_COPY(c->created_at, res, i, 9);
    STORE_COPY(c->updated_at, res, i, 10);
    STORE_COPY(c->status_changed_at, res, i, 11);
}

enum status store_siga_comment_get(PGconn *conn, const char *id, bool lock,
                                   struct siga_comment_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_COMMENT_GET_LOCK : SQL_COMMENT_GET, 1, p, read_comment,
                          out);
}

enum status store_siga_comment_insert(PGconn *conn, const struct siga_comment_row *in,
                                      struct siga_comment_row *out)
{
    const char *p[] = {in->proposal_id, in->author_registrar_id, in->body};
    return store_rows_one(conn, SQL_COMMENT_INSERT, 3, p, read_comment, out);
}

enum status store_siga_comment_update(PGconn *conn, struct siga_comment_row *row,
                                      const struct siga_comment_row *next)
{
    char version[16];
    snprintf(version, sizeof version, "%d", row->version);
    const char *p[] = {row->id, next->body, version};
    enum status st = store_rows_one(conn, SQL_COMMENT_UPDATE, 3, p, read_comment, row);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_siga_comment_move(PGconn *conn, struct siga_comment_row *row, const char *to,
                                    const char *reason)
{
    char id[37];
    snprintf(id, sizeof id, "%s", row->id);
    const char *p[] = {id, to, reason};
    return store_rows_one(conn, SQL_COMMENT_MOVE, 3, p, read_comment, row);
}

enum status store_siga_comment_list(PGconn *conn, const struct page_query *q,
                                    struct page_result *out)
{
    char *select = xasprintf("SELECT " COMMENT_COLUMNS ", %s AS cursor_value,"
                             " siga_comments.id::text AS cursor_id FROM siga_comments",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE proposal_id = $1::uuid"
                 " AND ($2::timestamptz IS NULL OR updated_at >= $2::timestamptz)",
        .id_expr = "siga_comments.id",
        .page = &q->page,
        .nparams = 2,
        .params = {q->filters[STORE_SIGA_COMMENT_PROPOSAL], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_comment, sizeof(struct siga_comment_row), out);
    free(select);
    return st;
}
