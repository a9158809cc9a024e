/* CSV exports of the lists (RFC 4180, UTF-8): whether a request asks for one
 * (Accept), and the text of the rows, built from the items a list renders.
 * Columns are the first item's top-level members, in order (the kit renders
 * every item of a list with the same members; a member an item lacks is an
 * empty cell); strings as they are, numbers and booleans as JSON writes them,
 * objects and arrays as compact JSON text, null as an empty cell. A cell that
 * a spreadsheet would read as a formula (it starts with '=', '+', '-', '@',
 * TAB or CR) gets a leading "'". Pure: no I/O. */
#ifndef PARCERIA_CSV_H
#define PARCERIA_CSV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CSV_CONTENT_TYPE "text/csv; charset=utf-8"

/* True when Accept prefers text/csv to application/json: by quality, then by
 * how exactly each is named (text/csv before text/ * before * / *); a tie is
 * JSON's, the lists' default. */
bool csv_preferred(const char *accept);

struct csv {
    char *text; /* the rows so far, NUL-terminated (owned) */
    size_t len, cap;
    json_t *columns; /* the header's member names, from the first row */
    size_t rows;     /* data rows written (the header not counted) */
};

void csv_init(struct csv *c);
void csv_cleanup(struct csv *c);
/* Writes the header row of columns (an array of member names, lent) now,
 * for an export whose columns are known before its rows (so an empty one
 * has its header too); call it before any csv_add. */
void csv_columns(struct csv *c, const json_t *columns);
/* Appends item (an object, lent) as a row; the first one writes the header
 * row before it. */
void csv_add(struct csv *c, const json_t *item);
/* The text of one cell (a new string): see the header comment. */
char *csv_cell(const json_t *value);

#endif
