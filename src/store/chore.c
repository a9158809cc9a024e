/* The chores' shared SQL: their lock and their clock. */
#include "store_chore.h"

#include "sql.h"

#include <stdio.h>
#include <string.h>

/* One lock space for chores (the first key), one lock per chore name. */
static const char SQL_LOCK[] =
    "SELECT pg_try_advisory_xact_lock(hashtext('parceria:chore'), hashtext($1))";
static const char SQL_NOW[] = "SELECT " SQL_TS_US("now()");

enum status store_chore_lock(PGconn *conn, const char *name, bool *got)
{
    PGresult *res = NULL;
    const char *p[] = {name};
    enum status st = db_exec(conn, SQL_LOCK, 1, p, &res);
    *got = st == ST_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return st;
}

enum status store_chore_now(PGconn *conn, char out[40])
{
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_NOW, 0, NULL, &res);
    if (st == ST_OK && PQntuples(res) == 1)
        snprintf(out, 40, "%s", PQgetvalue(res, 0, 0));
    else if (st == ST_OK)
        st = ST_UNAVAILABLE;
    PQclear(res);
    return st;
}
