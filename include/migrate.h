/* Schema migrations: the SQL files of migrations/, compiled into the binary,
 * applied in name order, each in its own transaction and recorded with its
 * SHA-256 in schema_migrations, under an advisory lock so that two instances
 * starting together do not race. A file with the line `-- parceria: expand`
 * is recorded as expand: a binary that finds only such unknown migrations
 * beyond its own serves on (MIGRATE_NEWER_COMPATIBLE). A file with the line
 * `-- parceria: contract` runs only with `migrate --contract`, once no older
 * release runs; until then the binary shipping it serves (MIGRATE_CONTRACT_PENDING). */
#ifndef PARCERIA_MIGRATE_H
#define PARCERIA_MIGRATE_H

#include "status.h"

#include <libpq-fe.h>
#include <stdbool.h>

enum migrate_state {
    MIGRATE_CURRENT, /* every migration applied, none changed */
    MIGRATE_PENDING, /* some migrations not applied yet */
    MIGRATE_CHANGED, /* an applied migration's file differs from what ran */
    MIGRATE_UNKNOWN, /* the database has a migration this binary does not know */
    /* every migration applied, none changed, and newer ones this binary does
     * not know, all marked expand: the previous release of a rolling deploy */
    MIGRATE_NEWER_COMPATIBLE,
    /* every migration applied but some marked contract, none changed: the
     * next release during a rolling deploy, before `migrate --contract` */
    MIGRATE_CONTRACT_PENDING,
};

/* Applies the pending migrations in order, stopping before the first marked
 * contract unless contract is true. Prints what it does to stdout and any
 * error to stderr. Returns false on failure or when an applied file has
 * changed; stopping before a contract migration is a success. */
bool migrate_apply(PGconn *conn, bool contract);

/* Compares the database with the embedded migrations without changing it. */
enum status migrate_check(PGconn *conn, enum migrate_state *out) WARN_UNUSED;

/* Text for a state, for messages. */
const char *migrate_state_text(enum migrate_state state);

/* The state as /readyz names it: current, pending, newer-compatible,
 * contract-pending, mismatch. */
const char *migrate_state_name(enum migrate_state state);

/* Whether a migration's SQL has the line `-- parceria: expand`. */
bool migrate_is_expand(const char *sql);

/* Whether a migration's SQL has the line `-- parceria: contract`. */
bool migrate_is_contract(const char *sql);

#endif
