/* Surveys and their responses: all their SQL, no rules. */
#include "store_survey.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SURVEY_STAMPS                                                                              \
    SQL_TS("created_at") ", " SQL_TS("updated_at") ", " SQL_TS("status_changed_at")
#define SURVEY_COUNT "(SELECT count(*) FROM survey_responses r WHERE r.survey_id = surveys.id)"
#define SURVEY_COLUMNS                                                                             \
    "surveys.id::text, year, title, " SQL_TS("opens_at") ", " SQL_TS(                              \
        "closes_at") ", questions::text, status, " SURVEY_COUNT ", version, " SURVEY_STAMPS

static const char SQL_GET[] = "SELECT " SURVEY_COLUMNS " FROM surveys WHERE id = $1::uuid";
static const char SQL_GET_LOCK[] =
    "SELECT " SURVEY_COLUMNS " FROM surveys WHERE id = $1::uuid FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO surveys (year, title, opens_at, closes_at, questions, pseudonym_key)"
    " VALUES ($1::int, $2, $3::timestamptz, $4::timestamptz, $5::jsonb, decode($6, 'hex'))"
    " RETURNING " SURVEY_COLUMNS;
static const char SQL_UPDATE[] =
    "UPDATE surveys SET year = $2::int, title = $3, opens_at = $4::timestamptz,"
    " closes_at = $5::timestamptz, questions = $6::jsonb, version = version + 1"
    " WHERE id = $1::uuid AND version = $7::int RETURNING " SURVEY_COLUMNS;
static const char SQL_MOVE[] =
    "UPDATE surveys SET status = $2, status_changed_at = now(), version = version + 1"
    " WHERE id = $1::uuid RETURNING " SURVEY_COLUMNS;
static const char SQL_WINDOW[] =
    "SELECT status, now() >= opens_at AND now() < closes_at FROM surveys WHERE id = $1::uuid"
    " FOR SHARE";
/* xmax is 0 on a row this statement inserted */
static const char SQL_RESPOND[] =
    "INSERT INTO survey_responses (survey_id, registrar_id, answers)"
    " SELECT $1::uuid, r.id, $3::jsonb FROM registrars r WHERE r.id = $2::uuid"
    " ON CONFLICT (survey_id, registrar_id) DO UPDATE SET answers = excluded.answers"
    " RETURNING xmax = 0, " SQL_TS("updated_at");
static const char SQL_RESPONSE[] = "SELECT answers::text, " SQL_TS(
    "updated_at") " FROM survey_responses"
                  " WHERE survey_id = $1::uuid AND registrar_id = $2::uuid";
static const char SQL_ANSWERS[] =
    "SELECT coalesce(jsonb_agg(answers ORDER BY answers::text), '[]')::text"
    " FROM survey_responses WHERE survey_id = $1::uuid";
static const char SQL_KEY[] =
    "SELECT encode(pseudonym_key, 'hex') FROM surveys WHERE id = $1::uuid";
static const char SQL_EXPORT[] =
    "SELECT coalesce(jsonb_agg(jsonb_build_object('registrar_id', registrar_id,"
    " 'answers', answers)), '[]')::text FROM survey_responses WHERE survey_id = $1::uuid";
static const char SQL_PANEL[] =
    "SELECT coalesce(jsonb_agg(jsonb_build_object('trade_name', r.trade_name,"
    " 'name', c->>'name', 'email', c->>'email', 'phone', c->>'phone')"
    " ORDER BY r.trade_name, r.id), '[]')::text FROM registrars r"
    " LEFT JOIN LATERAL (SELECT x FROM jsonb_array_elements(r.contacts) x"
    " WHERE x->>'type' = 'admin' LIMIT 1) a(c) ON true WHERE r.status <> 'terminated'";

const struct page_sort store_survey_sorts[STORE_SURVEY_SORTS] = {
    {"created_at", "surveys.created_at", "::timestamptz", SQL_TS_US("surveys.created_at")},
    {"year", "surveys.year", "::int", "surveys.year::text"},
};

static void read_row(const PGresult *res, int i, void *out)
{
    struct survey_row *s = out;
    survey_row_cleanup(s);
    memset(s, 0, sizeof *s);
    STORE_COPY(s->id, res, i, 0);
    s->year = atoi(PQgetvalue(res, i, 1));
    STORE_COPY(s->title, res, i, 2);
    STORE_COPY(s->opens_at, res, i, 3);
    STORE_COPY(s->closes_at, res, i, 4);
    s->questions = json_loads(PQgetvalue(res, i, 5), 0, NULL);
    if (s->questions == NULL)
        s->questions = json_array(); /* the column's CHECK: always an array */
    if (!survey_status_parse(PQgetvalue(res, i, 6), &s->status))
        s->status = SURVEY_DRAFT;
    s->response_count = atoi(PQgetvalue(res, i, 7));
    s->row_version = atoi(PQgetvalue(res, i, 8));
    s->version = s->row_version + s->response_count;
    STORE_COPY(s->created_at, res, i, 9);
    STORE_COPY(s->updated_at, res, i, 10);
    STORE_COPY(s->status_changed_at, res, i, 11);
}

enum status store_survey_get(PGconn *conn, const char *id, bool lock, struct survey_row *out)
{
    const char *p[] = {id};
    return store_rows_one(conn, lock ? SQL_GET_LOCK : SQL_GET, 1, p, read_row, out);
}

enum status store_survey_insert(PGconn *conn, const struct survey_row *s,
                                const unsigned char key[SURVEY_KEY_BYTES], struct survey_row *out)
{
    char year[12], hex[SURVEY_KEY_BYTES * 2 + 1];
    snprintf(year, sizeof year, "%d", s->year);
    sodium_bin2hex(hex, sizeof hex, key, SURVEY_KEY_BYTES);
    char *questions = json_dumps(s->questions, JSON_COMPACT);
    const char *p[] = {year, s->title, s->opens_at, s->closes_at, questions, hex};
    enum status st = store_rows_one(conn, SQL_INSERT, 6, p, read_row, out);
    sodium_memzero(hex, sizeof hex);
    free(questions);
    return st;
}

enum status store_survey_update(PGconn *conn, struct survey_row *row, const struct survey_row *next)
{
    char year[12], version[16];
    snprintf(year, sizeof year, "%d", next->year);
    snprintf(version, sizeof version, "%d", row->row_version);
    char *questions = json_dumps(next->questions, JSON_COMPACT);
    const char *p[] = {row->id,         year,      next->title, next->opens_at,
                       next->closes_at, questions, version};
    enum status st = store_rows_one(conn, SQL_UPDATE, 7, p, read_row, row);
    free(questions);
    return st == ST_NOT_FOUND ? ST_STALE : st;
}

enum status store_survey_move(PGconn *conn, struct survey_row *row, const char *to)
{
    const char *p[] = {row->id, to};
    return store_rows_one(conn, SQL_MOVE, 2, p, read_row, row);
}

enum status store_survey_list(PGconn *conn, const struct page_query *q, struct page_result *out)
{
    char *select = xasprintf("SELECT " SURVEY_COLUMNS ", %s AS cursor_value,"
                             " surveys.id::text AS cursor_id FROM surveys",
                             q->page.sort->render);
    struct store_page sq = {
        .select = select,
        .where = "WHERE ($1::jsonb IS NULL OR $1::jsonb ? status)"
                 " AND ($2::jsonb IS NULL OR $2::jsonb ? year::text)"
                 " AND ($3::jsonb IS NULL OR $3::jsonb ? status)"
                 " AND ($4::timestamptz IS NULL OR updated_at >= $4::timestamptz)",
        .id_expr = "surveys.id",
        .from = " FROM surveys",
        .page = &q->page,
        .nparams = 4,
        .params = {q->filters[STORE_SURVEY_STATUS], q->filters[STORE_SURVEY_YEAR],
                   q->filters[STORE_SURVEY_SHOWN], q->page.updated_since},
    };
    enum status st = store_rows_page(conn, &sq, read_row, sizeof(struct survey_row), out);
    free(select);
    return st;
}

struct window_out {
    enum survey_status *status;
    bool *in_window;
};

static void read_window(const PGresult *res, int i, void *out)
{
    struct window_out *w = out;
    if (!survey_status_parse(PQgetvalue(res, i, 0), w->status))
        *w->status = SURVEY_DRAFT;
    *w->in_window = PQgetvalue(res, i, 1)[0] == 't';
}

enum status store_survey_window(PGconn *conn, const char *id, enum survey_status *status,
                                bool *in_window)
{
    const char *p[] = {id};
    struct window_out w = {status, in_window};
    return store_rows_one(conn, SQL_WINDOW, 1, p, read_window, &w);
}

struct responded {
    bool *created;
    char *updated_at;
};

static void read_responded(const PGresult *res, int i, void *out)
{
    struct responded *r = out;
    *r->created = PQgetvalue(res, i, 0)[0] == 't';
    snprintf(r->updated_at, 32, "%s", PQgetvalue(res, i, 1));
}

enum status store_survey_respond(PGconn *conn, const char *id, const char *registrar_id,
                                 const char *answers, bool *created, char updated_at[32])
{
    const char *p[] = {id, registrar_id, answers};
    struct responded r = {created, updated_at};
    return store_rows_one(conn, SQL_RESPOND, 3, p, read_responded, &r);
}

struct response_out {
    json_t **answers;
    char *updated_at;
};

static void read_response(const PGresult *res, int i, void *out)
{
    struct response_out *r = out;
    *r->answers = json_loads(PQgetvalue(res, i, 0), 0, NULL);
    snprintf(r->updated_at, 32, "%s", PQgetvalue(res, i, 1));
}

enum status store_survey_response(PGconn *conn, const char *id, const char *registrar_id,
                                  json_t **answers, char updated_at[32])
{
    const char *p[] = {id, registrar_id};
    struct response_out r = {answers, updated_at};
    *answers = NULL;
    return store_rows_one(conn, SQL_RESPONSE, 2, p, read_response, &r);
}

static enum status json_of(PGconn *conn, const char *sql, const char *id, json_t **out)
{
    const char *p[] = {id};
    *out = NULL;
    enum status st = store_rows_one(conn, sql, 1, p, store_rows_read_json, out);
    if (st == ST_OK && *out == NULL)
        st = ST_UNAVAILABLE; /* the database wrote it: never a client's doing */
    return st;
}

enum status store_survey_answers(PGconn *conn, const char *id, json_t **out)
{
    return json_of(conn, SQL_ANSWERS, id, out);
}

static void read_key(const PGresult *res, int i, void *out)
{
    const char *hex = PQgetvalue(res, i, 0);
    size_t len = 0;
    if (sodium_hex2bin(out, SURVEY_KEY_BYTES, hex, strlen(hex), NULL, &len, NULL) != 0 ||
        len != SURVEY_KEY_BYTES)
        memset(out, 0, SURVEY_KEY_BYTES); /* the column's CHECK: always 32 bytes */
}

enum status store_survey_export(PGconn *conn, const char *id, unsigned char key[SURVEY_KEY_BYTES],
                                json_t **out)
{
    const char *p[] = {id};
    *out = NULL;
    enum status st = store_rows_one(conn, SQL_KEY, 1, p, read_key, key);
    return st == ST_OK ? json_of(conn, SQL_EXPORT, id, out) : st;
}

enum status store_survey_panel(PGconn *conn, json_t **out)
{
    PGresult *res = NULL;
    *out = NULL;
    enum status st = db_exec(conn, SQL_PANEL, 0, NULL, &res);
    if (st == ST_OK)
        *out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    return st == ST_OK && *out == NULL ? ST_UNAVAILABLE : st;
}
