/* Programs: all their SQL, no rules. */
#ifndef PARCERIA_STORE_PROGRAM_H
#define PARCERIA_STORE_PROGRAM_H

#include "db.h"
#include "page.h"
#include "program.h"

#include <stdbool.h>

/* The list's sort keys, and its filters' positions in page_query.filters.
 * page_query.full false: the public catalogue (no drafts). */
#define STORE_PROGRAM_SORTS 2
extern const struct page_sort store_program_sorts[STORE_PROGRAM_SORTS];
enum {
    STORE_PROGRAM_KIND,   /* JSON array of kinds */
    STORE_PROGRAM_STATUS, /* JSON array of statuses */
    STORE_PROGRAM_YEAR,   /* JSON array of years (as strings) */
};

/* Reads one program; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_program_get(PGconn *conn, const char *code, bool lock,
                              struct program_row *out) WARN_UNUSED;
/* Inserts p (status draft); out gets the stored row. ST_CONFLICT when the
 * code is taken. */
enum status store_program_insert(PGconn *conn, const struct program_row *p,
                                 struct program_row *out) WARN_UNUSED;
/* Writes next's editable fields over row when row->version is current
 * (ST_STALE otherwise); row gets the stored row. */
enum status store_program_update(PGconn *conn, struct program_row *row,
                                 const struct program_row *next) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_program_move(PGconn *conn, struct program_row *row, const char *to) WARN_UNUSED;
/* *index gets the index of the first code of codes[0..n) that names no
 * program, or -1 when all do. */
enum status store_program_unknown(PGconn *conn, const char (*codes)[PROGRAM_CODE_MAX + 1], size_t n,
                                  int *index) WARN_UNUSED;
/* A page of programs (rows: struct program_row). */
enum status store_program_list(PGconn *conn, const struct page_query *q,
                               struct page_result *out) WARN_UNUSED;

#endif
