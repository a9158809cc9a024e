/* Bearer tokens and roles in front of every route. Verification itself is
 * src/token.c; here the header is read, the route's roles are applied, and
 * revoked credentials of our own tokens are refused: the check travels with
 * the request's first statement (a guard, db.h) and auth_settle reads its
 * verdict before anything is answered. */
#include "auth.h"

#include "db.h"

#include "guard.h"
#include "problem.h"
#include "store_audit.h"
#include "store_client.h"
#include "store_registrar.h"
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

/* Sets the check that the client or access key behind one of our tokens
 * still stands on the request's connection; auth_settle reads its verdict. */
static enum status credential_guard(struct req_ctx *ctx)
{
    PGconn *conn = NULL;
    enum status st = api_conn(ctx, &conn);
    if (st == ST_OK) {
        store_client_credential_guard(conn, &ctx->who);
        ctx->credential_pending = true;
    }
    return st;
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
    enum status st = credential_guard(ctx);
    if (st != ST_OK) {
        problem_send_status(resp, ctx, st);
        return false;
    }
    return true;
}

int auth_settle(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx, int rc)
{
    if (!ctx->credential_pending)
        return rc;
    ctx->credential_pending = false;
    enum status st = ctx->conn != NULL ? db_guard_verdict(ctx->conn) : ST_UNAVAILABLE;
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
