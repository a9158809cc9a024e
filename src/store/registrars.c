/* Registrar rows: the short form and the status the other areas check. */
#include "store_registrars.h"

#include <stdio.h>
#include <string.h>

static const char SQL_BRIEF[] =
    "SELECT id::text, handle, trade_name, status FROM registrars WHERE id = $1::uuid";

enum status store_registrar_brief(PGconn *conn, const char *id, struct registrar_brief *out)
{
    const char *p[] = {id};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_BRIEF, 1, p, &res);
    if (st == ST_OK && PQntuples(res) == 0)
        st = ST_NOT_FOUND;
    if (st == ST_OK) {
        snprintf(out->id, sizeof out->id, "%s", PQgetvalue(res, 0, 0));
        snprintf(out->handle, sizeof out->handle, "%s", PQgetvalue(res, 0, 1));
        snprintf(out->trade_name, sizeof out->trade_name, "%s", PQgetvalue(res, 0, 2));
        snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return st;
}

enum status store_registrar_status(PGconn *conn, const char *registrar_id, char *status,
                                   size_t size)
{
    struct registrar_brief b;
    enum status st = store_registrar_brief(conn, registrar_id, &b);
    if (st == ST_OK)
        snprintf(status, size, "%s", b.status);
    return st;
}
