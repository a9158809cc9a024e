/* Result reading shared by every store file (store_rows.h). */
#include "store_rows.h"

#include "util.h"

#include <jansson.h>
#include <stdlib.h>

enum status store_rows_one(PGconn *conn, const char *sql, int n, const char *const *params,
                           store_row_reader read, void *out)
{
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, n, params, &res);
    if (st == ST_OK && PQntuples(res) == 0)
        st = ST_NOT_FOUND;
    if (st == ST_OK)
        read(res, 0, out);
    PQclear(res);
    return st;
}

char *store_rows_text(const PGresult *res, int i, int col)
{
    return PQgetisnull(res, i, col) ? NULL : xstrdup(PQgetvalue(res, i, col));
}

void store_rows_read_json(const PGresult *res, int i, void *out)
{
    *(json_t **)out = json_loads(PQgetvalue(res, i, 0), 0, NULL);
}

enum status store_rows_exists(PGconn *conn, const char *sql, int n, const char *const *params,
                              bool *found)
{
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, n, params, &res);
    *found = st == ST_OK && PQntuples(res) > 0;
    PQclear(res);
    return st;
}

enum status store_rows_page(PGconn *conn, struct store_page *q, store_row_reader read,
                            size_t row_size, struct page_result *out)
{
    PGresult *res = NULL;
    out->rows = NULL;
    enum status st = store_page_run(conn, q, &res, &out->count, &out->next, &out->total);
    if (st == ST_OK) {
        out->rows = xcalloc((size_t)out->count + 1, row_size);
        for (int i = 0; i < out->count; i++)
            read(res, i, (char *)out->rows + (size_t)i * row_size);
    }
    PQclear(res);
    return st;
}
