/* Keyset pagination: WHERE filters AND (sort, id) beyond the cursor, ORDER BY
 * sort, id, LIMIT n + 1 to know whether another page exists. */
#include "store_page.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *page_sql(const struct store_page *q)
{
    const char *dir = q->page->descending ? "DESC" : "ASC";
    const char *cmp = q->page->descending ? "<" : ">";
    char *after = NULL;
    if (q->page->after_id != NULL)
        after = xasprintf(" AND (%s, %s) %s ($%d%s, $%d)", q->page->sort->expr, q->id_expr, cmp,
                          q->nparams + 1, q->page->sort->cast, q->nparams + 2);
    char *sql =
        xasprintf("%s %s%s ORDER BY %s %s, %s %s LIMIT %d", q->select, q->where, after ? after : "",
                  q->page->sort->expr, dir, q->id_expr, dir, q->page->limit + 1);
    free(after);
    return sql;
}

static enum status count_total(PGconn *conn, const struct store_page *q, long long *total)
{
    const char *from = q->from ? q->from : strstr(q->select, " FROM ");
    char *sql = xasprintf("SELECT count(*)%s %s", from ? from : "", q->where);
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, q->nparams, q->params, &res);
    free(sql);
    if (st == ST_OK)
        *total = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return st;
}

enum status store_page_run(PGconn *conn, struct store_page *q, PGresult **rows, int *count,
                           char **next, long long *total)
{
    *rows = NULL;
    *next = NULL;
    *count = 0;
    int n = q->nparams;
    if (q->page->after_id != NULL) {
        q->params[n] = q->page->after_value;
        q->params[n + 1] = q->page->after_id;
        n += 2;
    }
    char *sql = page_sql(q);
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, n, q->params, &res);
    free(sql);
    if (st != ST_OK)
        return st;
    int got = PQntuples(res);
    *count = got > q->page->limit ? q->page->limit : got;
    if (got > q->page->limit) {
        int vcol = PQfnumber(res, "cursor_value"), icol = PQfnumber(res, "cursor_id");
        int last = q->page->limit - 1;
        *next = page_cursor_encode(
            q->page, PQgetisnull(res, last, vcol) ? NULL : PQgetvalue(res, last, vcol),
            PQgetvalue(res, last, icol));
    }
    *rows = res;
    if (q->page->include_total)
        st = count_total(conn, q, total);
    if (st != ST_OK) {
        PQclear(res);
        *rows = NULL;
        free(*next);
        *next = NULL;
    }
    return st;
}
