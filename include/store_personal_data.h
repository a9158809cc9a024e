/* Where the registry holds personal data, in one table (src/store/
 * personal_data.c): one row per place {table, columns, what, how to find a
 * person's values by email, how to erase them, what keeps them}. A new table
 * with personal data is one more row; a column whose name looks personal
 * (email, name, contact, …) must be in a row or in the list of columns that
 * are not personal (tests/http/test_data_requests.py checks information_schema
 * against `parceria personal-data`). Also the retention rules (DOMAIN.md
 * "Rules for every area"). */
#ifndef PARCERIA_STORE_PERSONAL_DATA_H
#define PARCERIA_STORE_PERSONAL_DATA_H

#include "db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct personal_location {
    const char *table;
    const char *columns; /* the columns it covers, comma-separated */
    const char *what;    /* what it holds of a person (English) */
    /* $1 the email → rows of (id text, values jsonb, kept text): kept is
     * why an erasure keeps the row (NULL: it erases it). */
    const char *find;
    /* $1 the email → erases every found row whose kept is NULL, returning
     * (id text). NULL: nothing here is ever erased (only listed). */
    const char *erase;
};
extern const struct personal_location store_personal_locations[];

/* Columns whose names look personal but are not a person's data. */
struct personal_not {
    const char *table;
    const char *column;
    const char *why;
};
extern const struct personal_not store_personal_not[];

/* Prints both tables, tab-separated: personal TABLE COLUMN WHAT, and
 * not-personal TABLE COLUMN WHY. */
void store_personal_data_print(FILE *out);

/* Every location with the rows it holds for email: a new array of
 * {table, columns, what, rows: [{id, values}]}. */
enum status store_personal_data_export(PGconn *conn, const char *email, json_t **out) WARN_UNUSED;

/* Erases email where no rule keeps it: *report gets {erased: [{table, what,
 * ids}], kept: [{table, what, id, why}]} (a new reference). */
enum status store_personal_data_erase(PGconn *conn, const char *email, json_t **report) WARN_UNUSED;

/* The retention rules: each counts (apply false) or erases (apply true) the
 * rows past their period as of at (RFC 3339), calling report for each. */
struct retention_rule {
    const char *table;
    const char *what;
    const char *count; /* $1 at → one row: the count */
    const char *apply; /* $1 at → the rows erased (id text) */
};
extern const struct retention_rule store_retention_rules[];
typedef void (*store_retention_report)(const struct retention_rule *rule, long long count,
                                       void *arg);
enum status store_retention_run(PGconn *conn, const char *at, bool apply,
                                store_retention_report report, void *arg) WARN_UNUSED;

#endif
