/* Registrars: the directory and each registrar's record. */
#ifndef PARCERIA_STORE_REGISTRARS_H
#define PARCERIA_STORE_REGISTRARS_H

#include "db.h"

#include <stddef.h>

struct registrar_brief {
    char id[37];
    char handle[64];
    char trade_name[401]; /* 100 characters of up to 4 bytes */
    char status[16];
};

/* The short form of a registrar, or ST_NOT_FOUND. */
enum status store_registrar_brief(PGconn *conn, const char *id,
                                  struct registrar_brief *out) WARN_UNUSED;
/* A registrar's status, or ST_NOT_FOUND. */
enum status store_registrar_status(PGconn *conn, const char *registrar_id, char *status,
                                   size_t size) WARN_UNUSED;

#endif
