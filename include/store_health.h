/* The storage layer: all SQL lives under src/store/, one file per aggregate.
 * Functions return a status and fill out-parameters. */
#ifndef PARCERIA_STORE_HEALTH_H
#define PARCERIA_STORE_HEALTH_H

#include "db.h"
#include "migrate.h"
#include "status.h"

/* Asks the database a trivial question and compares its migrations with the
 * binary's. ST_UNAVAILABLE when it does not answer. */
enum status store_health_check(struct db_pool *pool, enum migrate_state *migrations) WARN_UNUSED;

#endif
