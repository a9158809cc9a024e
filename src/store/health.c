/* Readiness: the database answers and its schema is the binary's. */
#include "store_health.h"

static enum status check(PGconn *conn, void *arg)
{
    enum status st = db_exec(conn, "SELECT 1", 0, NULL, NULL);
    if (st != ST_OK)
        return st;
    return migrate_check(conn, arg);
}

enum status store_health_check(struct db_pool *pool, enum migrate_state *migrations)
{
    return db_with_conn(pool, check, migrations);
}
