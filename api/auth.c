/* Bearer tokens and roles in front of every route. Verification itself is
 * src/token.c; here the header is read, the route's roles are applied, and
 * revoked credentials of our own tokens are refused: the check travels with
 * the request's first statement (a guard, db.h) and auth_settle reads its
 * verdict before anything is answered. */
#include "auth.h"

#include "db.h"
#include "db_flight.h"

#include "guard.h"
#include "problem.h"
#include "store_audit.h"
#include "store_client.h"
#include "store_registrar.h"
#include "store_state.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int unauthenticated(struct _u_response *resp, struct req_ctx *ctx, const char *why,
                           bool token_sent)
{
    char header[200];
    if (token_sent)
        snprintf(header, sizeof header, "Bearer error=\"invalid_token\", error_description=\"%s\"",
                 why);
    else
        snprintf(header, sizeof header, "Bearer");
    u_map_put(resp->map_header, "WWW-Authenticate", header);
    return problem_send(resp, ctx, PROBLEM_UNAUTHENTICATED, (struct problem_text){why, NULL}, NULL);
}

/* The check that the client or access key behind one of our tokens still
 * stands: a guard on the request's connection when it takes one
 * (auth_guard_conn), or a flight's (auth_state); auth_settle reads the
 * verdict. */
void auth_guard_conn(struct req_ctx *ctx)
{
    if (ctx->credential_pending && !ctx->credential_settled && ctx->conn != NULL)
        store_client_credential_guard(ctx->conn, &ctx->who);
}

enum status auth_state(struct req_ctx *ctx, struct store_state *out)
{
    bool check = ctx->credential_pending && !ctx->credential_settled;
    struct store_state_ask ask = {.who = check ? &ctx->who : NULL};
    enum status st = db_flight_join(ctx->app->state, &ask);
    if (check) { /* a flight that failed settles it too: auth_settle asks no second one */
        ctx->credential_settled = true;
        ctx->credential_verdict = st == ST_OK ? ask.verdict : st;
    }
    if (st != ST_OK)
        return st;
    *out = ask.state;
    return check ? ask.verdict : ST_OK;
}

static bool verify_bearer(const char *header, struct _u_response *resp, struct req_ctx *ctx)
{
    if (strncasecmp(header, "Bearer ", 7) != 0) {
        unauthenticated(resp, ctx, "the Authorization scheme must be Bearer", true);
        return false;
    }
    const char *token = header + 7;
    while (*token == ' ')
        token++;
    enum token_result r = token_verify(ctx->app->keyring, token, (long)time(NULL), &ctx->who);
    if (r != TOKEN_OK) {
        unauthenticated(resp, ctx, token_result_text(r), true);
        return false;
    }
    if (!ctx->who.ours)
        return true;
    ctx->credential_pending = true;
    auth_guard_conn(ctx); /* when a connection is already taken */
    return true;
}

int auth_settle(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx, int rc)
{
    if (!ctx->credential_pending)
        return rc;
    enum status st = ctx->credential_verdict;
    if (!ctx->credential_settled && ctx->conn != NULL) {
        st = db_guard_verdict(ctx->conn);
    } else if (!ctx->credential_settled) { /* nothing carried it: a flight of its own */
        struct store_state state;
        st = auth_state(ctx, &state);
    }
    ctx->credential_pending = false;
    if (st == ST_OK) {
        if (ctx->finished)
            api_record(ctx, resp);
        return rc;
    }
    api_reset_answer(req, resp, ctx); /* whatever the handler answered is not sent */
    if (st != ST_REVOKED)
        return problem_send_status(resp, ctx, st);
    memset(&ctx->who, 0, sizeof ctx->who);
    return unauthenticated(resp, ctx, "the token's credential was revoked", true);
}

bool auth_authorize(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    unsigned roles)
{
    const char *header = u_map_get_case(req->map_header, "Authorization");
    /* On public routes another scheme (the token endpoint's Basic) is not ours to judge. */
    if (header != NULL && roles == ROLE_PUBLIC && strncasecmp(header, "Bearer ", 7) != 0)
        header = NULL;
    if (header == NULL) {
        if (roles == ROLE_PUBLIC)
            return true;
        unauthenticated(resp, ctx, "a bearer token is required", false);
        return false;
    }
    if (!verify_bearer(header, resp, ctx))
        return false;
    unsigned effective = ctx->who.role | (ctx->who.role == ROLE_ADMIN ? ROLE_STAFF : 0);
    if (roles != ROLE_PUBLIC && (roles & effective) == 0) {
        problem_send(resp, ctx, PROBLEM_FORBIDDEN, PROBLEM_NO_DETAIL, NULL);
        return false;
    }
    char bucket[300];
    char caller[65];
    auth_caller_key(ctx, caller);
    snprintf(bucket, sizeof bucket, "client:%s", caller);
    return guard_rate_limit(resp, ctx, bucket, ctx->app->cfg->client_rate_limit, 60);
}

bool auth_owns_registrar(const struct req_ctx *ctx, const char *registrar_id)
{
    if (principal_is_staff(&ctx->who))
        return true;
    return ctx->who.role == ROLE_REGISTRAR && registrar_id != NULL &&
           strcmp(ctx->who.registrar_id, registrar_id) == 0;
}

bool auth_registrar_active(struct _u_response *resp, struct req_ctx *ctx)
{
    if (ctx->who.role != ROLE_REGISTRAR)
        return true;
    struct registrar_brief brief = {.status = REGISTRAR_ACCREDITED};
    PGconn *conn = NULL;
    enum status st = api_conn(ctx, &conn);
    if (st == ST_OK)
        st = store_registrar_brief(conn, ctx->who.registrar_id, &brief);
    if (st != ST_OK && st != ST_NOT_FOUND) {
        problem_send_status(resp, ctx, st);
        return false;
    }
    if (st == ST_OK && brief.status == REGISTRAR_SUSPENDED) {
        problem_send(resp, ctx, PROBLEM_REGISTRAR_SUSPENDED, PROBLEM_NO_DETAIL, NULL);
        return false;
    }
    return true;
}

void auth_caller_key(const struct req_ctx *ctx, char out[65])
{
    char *both = xasprintf("%s\n%s", ctx->who.iss, ctx->who.sub);
    util_sha256_hex(both, strlen(both), out);
    free(both);
}

void auth_actor(const struct req_ctx *ctx, struct audit_actor *out)
{
    out->sub = ctx->who.role ? ctx->who.sub : "anonymous";
    out->role = ctx->who.role ? principal_role_name(ctx->who.role) : "public";
    out->registrar_id = ctx->who.role == ROLE_REGISTRAR ? ctx->who.registrar_id : NULL;
    out->request_id = ctx->request_id;
}
