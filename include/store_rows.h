/* What every store file does with results: read one row into a struct, read
 * a page of rows into an array of structs, ask whether a row exists. A store
 * file then holds its SQL and one row reader. */
#ifndef PARCERIA_STORE_ROWS_H
#define PARCERIA_STORE_ROWS_H

#include "db.h"
#include "page.h"
#include "store_page.h"

#include <stdio.h>

/* Copies a text column into a fixed char array. */
#define STORE_COPY(dst, res, i, col)                                                               \
    snprintf((dst), sizeof(dst), "%s", PQgetvalue((res), (i), (col)))

/* A text column as a new string, or NULL when it is NULL. */
char *store_rows_text(const PGresult *res, int i, int col);

/* Fills row (cleaned first by the reader) from result row i. */
typedef void (*store_row_reader)(const PGresult *res, int i, void *row);

/* Runs sql expecting at most one row, read into out; ST_NOT_FOUND on none. */
enum status store_rows_one(PGconn *conn, const char *sql, int n, const char *const *params,
                           store_row_reader read, void *out) WARN_UNUSED;
/* A row reader: column 0 as JSON, into *(json_t **)out (a new reference). */
void store_rows_read_json(const PGresult *res, int i, void *out);

/* Whether sql returns a row. */
enum status store_rows_exists(PGconn *conn, const char *sql, int n, const char *const *params,
                              bool *found) WARN_UNUSED;
/* Runs a page query and reads each row (row_size bytes, zeroed first) into
 * out->rows. */
enum status store_rows_page(PGconn *conn, struct store_page *q, store_row_reader read,
                            size_t row_size, struct page_result *out) WARN_UNUSED;

#endif
