/* The state kept answers rest on (store_state.h), for a flight of requests.
 * One statement reads the version rows and the refused API clients among
 * the flight's: its client ids are a list whose length is rounded up to a
 * power of two (padded with the last id), so a handful of texts, each
 * prepared once, and each planned once (a generic plan: with an array
 * parameter PostgreSQL planned every execution anew, which cost four times
 * the execution). Access keys (applicants', teachers') are rare in a flight:
 * when present, a second statement checks them. The refusal conditions are
 * the request's own guard's (credential_sql.h). */
#include "store_state.h"

#include "credential_sql.h"
#include "store_client.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char SQL_VERSIONS[] =
    "SELECT 0, (SELECT version FROM directory_version WHERE id)::text,"
    " ((SELECT version FROM news_version WHERE id)"
    " + (SELECT version FROM directory_version WHERE id))::text";
/* Each id looked up by its key (LATERAL … LIMIT 1: for a table of a few
 * hundred clients the planner would rather scan it whole, at four times the
 * cost): "… FROM (VALUES ($1), ($2)) v(id)" + SQL_CLIENT_CHECK. */
static const char SQL_CLIENTS[] = " UNION ALL SELECT 1, v.id, '' FROM (VALUES ";
static const char SQL_CLIENT_CHECK[] =
    ") v(id) CROSS JOIN LATERAL (SELECT FROM " SQL_CLIENT_FROM
    " WHERE c.client_id = v.id AND " SQL_CLIENT_REFUSED " LIMIT 1) refused";
static const char SQL_KEYS[] = "SELECT k.subject_id::text FROM access_keys k"
                               " WHERE k.subject_id = ANY($1::uuid[]) AND " SQL_KEY_REFUSED;

/* The statement for a list of n client ids (n a power of two, or 0). */
static char *state_sql(size_t n)
{
    size_t cap = sizeof SQL_VERSIONS + sizeof SQL_CLIENTS + sizeof SQL_CLIENT_CHECK + n * 8;
    char *sql = xmalloc(cap), *end = sql + snprintf(sql, cap, "%s", SQL_VERSIONS);
    if (n > 0) {
        end += snprintf(end, cap - (size_t)(end - sql), "%s", SQL_CLIENTS);
        for (size_t i = 1; i <= n; i++)
            end += snprintf(end, cap - (size_t)(end - sql), "%s($%zu)", i > 1 ? ", " : "", i);
        snprintf(end, cap - (size_t)(end - sql), "%s", SQL_CLIENT_CHECK);
    }
    return sql;
}

/* Marks ST_REVOKED on the asks of kind key whose credential is id. */
static void refuse(void *const *asks, size_t n, bool key, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        struct store_state_ask *a = asks[i];
        bool is_key;
        const char *mine = a->who != NULL ? store_client_credential_of(a->who, &is_key) : NULL;
        if (mine != NULL && is_key == key && (key ? strcasecmp(mine, id) : strcmp(mine, id)) == 0)
            a->verdict = ST_REVOKED;
    }
}

/* The flight's access keys, when it has any: a second statement. */
static enum status check_keys(PGconn *conn, void *const *asks, size_t n, const char **keys,
                              size_t nkeys)
{
    size_t cap = 3;
    for (size_t i = 0; i < nkeys; i++)
        cap += strlen(keys[i]) + 1;
    char *list = xmalloc(cap), *end = list;
    *end++ = '{';
    for (size_t i = 0; i < nkeys; i++) /* uuids (checked): nothing to quote */
        end += sprintf(end, "%s%s", i > 0 ? "," : "", keys[i]);
    strcpy(end, "}");
    const char *p[] = {list};
    PGresult *res = NULL;
    enum status st = db_exec(conn, SQL_KEYS, 1, p, &res);
    for (int r = 0; st == ST_OK && r < PQntuples(res); r++)
        refuse(asks, n, true, PQgetvalue(res, r, 0));
    PQclear(res);
    free(list);
    return st;
}

enum status store_state_read(PGconn *conn, void *const *asks, size_t n)
{
    const char **clients = xcalloc(STORE_STATE_MAX_ASKS, sizeof *clients);
    const char **keys = xcalloc(n + 1, sizeof *keys);
    size_t nclients = 0, nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        struct store_state_ask *a = asks[i];
        a->verdict = ST_OK;
        if (a->who == NULL)
            continue;
        bool key;
        const char *id = store_client_credential_of(a->who, &key);
        if (key && !util_is_uuid(id))
            a->verdict = ST_UNAVAILABLE; /* as the request's own guard: its cast fails */
        else if (key)
            keys[nkeys++] = id;
        else if (nclients < STORE_STATE_MAX_ASKS)
            clients[nclients++] = id;
        else
            a->verdict = ST_UNAVAILABLE; /* past the bound: never, in a flight */
    }
    size_t width = 0;
    while (width < nclients)
        width = width == 0 ? 1 : width * 2;
    for (size_t i = nclients; i < width; i++)
        clients[i] = clients[nclients - 1];
    char *sql = state_sql(width);
    PGresult *res = NULL;
    enum status st = db_exec(conn, sql, (int)width, clients, &res);
    struct store_state state = {0};
    for (int r = 0; st == ST_OK && r < PQntuples(res); r++) {
        if (strcmp(PQgetvalue(res, r, 0), "0") == 0)
            state =
                (struct store_state){atoll(PQgetvalue(res, r, 1)), atoll(PQgetvalue(res, r, 2))};
        else
            refuse(asks, n, false, PQgetvalue(res, r, 1));
    }
    PQclear(res);
    free(sql);
    if (st == ST_OK && nkeys > 0)
        st = check_keys(conn, asks, n, keys, nkeys);
    for (size_t i = 0; st == ST_OK && i < n; i++)
        ((struct store_state_ask *)asks[i])->state = state;
    free(clients);
    free(keys);
    return st;
}
