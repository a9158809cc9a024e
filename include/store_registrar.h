/* Registrars: all their SQL, no rules. */
#ifndef PARCERIA_STORE_REGISTRAR_H
#define PARCERIA_STORE_REGISTRAR_H

#include "db.h"
#include "page.h"
#include "registrar.h"

#include <jansson.h>
#include <stdbool.h>

/* The list's sort keys, and its filters' positions in page_query.filters.
 * page_query.full false is the public directory: accredited registrars, and
 * q searches public fields only. */
#define STORE_REGISTRAR_SORTS 2
extern const struct page_sort store_registrar_sorts[STORE_REGISTRAR_SORTS];
enum {
    STORE_REGISTRAR_STATUS,  /* JSON array of status names */
    STORE_REGISTRAR_PROGRAM, /* JSON array of program codes */
    STORE_REGISTRAR_Q,       /* text */
};

/* The short form the other areas check. */
struct registrar_brief {
    char id[37];
    char handle[64];
    char trade_name[401]; /* 100 characters of up to 4 bytes */
    enum registrar_status status;
};
/* The short form of a registrar, or ST_NOT_FOUND. */
enum status store_registrar_brief(PGconn *conn, const char *id,
                                  struct registrar_brief *out) WARN_UNUSED;

/* Reads one registrar; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_registrar_get(PGconn *conn, const char *id, bool lock,
                                struct registrar_row *out) WARN_UNUSED;
/* Writes the editable fields (legal_name, trade_name, website, address,
 * contacts) when row->version is current (ST_STALE otherwise). */
enum status store_registrar_update(PGconn *conn, struct registrar_row *row,
                                   const json_t *fields) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_registrar_move(PGconn *conn, struct registrar_row *row,
                                 const char *to) WARN_UNUSED;

/* A registrar to insert (all lent). */
struct registrar_new {
    const char *handle, *legal_name, *trade_name, *country, *nif, *vat_number, *tax_key, *website,
        *application_id;
    const json_t *address, *contacts;
};
/* Inserts it; id receives its id. ST_NOT_FOUND when the handle is taken,
 * ST_CONFLICT when a live registrar has the tax key. */
enum status store_registrar_insert(PGconn *conn, const struct registrar_new *r,
                                   char id[37]) WARN_UNUSED;
/* The handles that start with base's first 20 characters (a new array of new
 * strings, NULL-terminated; *count of them). */
enum status store_registrar_handles(PGconn *conn, const char *base, char ***handles,
                                    int *count) WARN_UNUSED;

/* A page of registrars (rows: struct registrar_row). */
enum status store_registrar_list(PGconn *conn, const struct page_query *q,
                                 struct page_result *out) WARN_UNUSED;

#endif
