/* Keyset pagination for the store: builds the page query from fixed,
 * whitelisted fragments (never from client text) and collects the next
 * cursor. Values always travel as parameters. */
#ifndef PARCERIA_STORE_PAGE_H
#define PARCERIA_STORE_PAGE_H

#include "db.h"
#include "page.h"

#include <stdbool.h>

/* A page query in the making. Parameters $1…$n are the caller's filters;
 * the cursor's two values are appended. */
struct store_page {
    const char *select;  /* "SELECT cols, <render> AS cursor_value, id_expr AS cursor_id FROM t" */
    const char *where;   /* "WHERE …" over the filter parameters, never empty ("WHERE true") */
    const char *id_expr; /* the tie-breaker column, unique */
    /* The FROM clause the total counts over, when the select's columns hold
     * a subquery (" FROM events"); NULL: the select's first FROM. */
    const char *from;
    const struct page_req *page;
    int nparams;
    const char *params[16];
};

/* Runs the page query; *rows gets at most page->limit rows (the result is
 * whole: use *count rows) and *next a new cursor string or NULL. When
 * page->include_total, *total gets the filter's count. */
enum status store_page_run(PGconn *conn, struct store_page *q, PGresult **rows, int *count,
                           char **next, long long *total) WARN_UNUSED;

#endif
