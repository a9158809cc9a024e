/* The change feed's SQL (store_changes.h). Confidential records (a TLP:RED
 * incident's) are never served. Only records whose transaction is
 * older than the snapshot's xmin are read: every transaction below it has
 * ended, so no record can later appear behind a position already served,
 * even when transactions commit out of seq order. One statement for all and
 * one for a registrar, so each keeps its index (audit_events_feed,
 * audit_events_registrar_feed). ORDER BY names the table's columns: a bare
 * txid binds to the txid::text output column, sorts "1000" before "962" and
 * makes a page jump over records once transaction ids gain a digit. */
#include "store_changes.h"

#include "sql.h"
#include "store_rows.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

#define CHANGE_COLUMNS                                                                             \
    "SELECT id::text, txid::text, seq::text, " SQL_TS(                                             \
        "at") ", action, resource_type, resource_id, coalesce(from_status, ''),"                   \
              " coalesce(to_status, ''), coalesce(registrar_id::text, '') FROM audit_events"

#define CHANGE_SETTLED "NOT confidential AND txid < pg_snapshot_xmin(pg_current_snapshot())"

static const char SQL_ALL[] =
    CHANGE_COLUMNS " WHERE " CHANGE_SETTLED " AND (txid, seq) > ($1::xid8, $2::bigint)"
                   " ORDER BY audit_events.txid, audit_events.seq LIMIT $3::integer";
static const char SQL_REGISTRAR[] = CHANGE_COLUMNS
    " WHERE registrar_id = $4::uuid AND " CHANGE_SETTLED " AND (txid, seq) > ($1::xid8, $2::bigint)"
    " ORDER BY audit_events.txid, audit_events.seq LIMIT $3::integer";

static void read_row(const PGresult *res, int i, struct change_row *r)
{
    STORE_COPY(r->id, res, i, 0);
    STORE_COPY(r->at.txid, res, i, 1);
    STORE_COPY(r->at.seq, res, i, 2);
    STORE_COPY(r->occurred_at, res, i, 3);
    STORE_COPY(r->action, res, i, 4);
    STORE_COPY(r->resource_type, res, i, 5);
    STORE_COPY(r->resource_id, res, i, 6);
    STORE_COPY(r->from_status, res, i, 7);
    STORE_COPY(r->to_status, res, i, 8);
    STORE_COPY(r->registrar_id, res, i, 9);
}

enum status store_changes_after(PGconn *conn, const struct change_position *after,
                                const char *registrar_id, int limit, struct change_row **rows,
                                int *count)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {after->txid, after->seq, lim, registrar_id};
    PGresult *res = NULL;
    enum status st =
        db_exec(conn, registrar_id ? SQL_REGISTRAR : SQL_ALL, registrar_id ? 4 : 3, p, &res);
    *rows = NULL;
    *count = 0;
    if (st == ST_OK) {
        *count = PQntuples(res);
        *rows = xcalloc((size_t)*count + 1, sizeof **rows);
        for (int i = 0; i < *count; i++)
            read_row(res, i, &(*rows)[i]);
    }
    PQclear(res);
    return st;
}
