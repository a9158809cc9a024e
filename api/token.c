/* POST /v1/auth/token: the OAuth 2.0 client-credentials grant (RFC 6749
 * section 4.4). Clients authenticate with HTTP Basic or in the body (form or
 * JSON); applicants and teachers use their application's or entry's id and
 * access key. Errors follow RFC 6749 section 5.2, not problem+json. */
#include "guard.h"
#include "handlers.h"
#include "metrics.h"
#include "query.h"
#include "resource.h"
#include "store_client.h"
#include "store_guard.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAIL_WINDOW_S 900
#define FAIL_LIMIT_PER_CLIENT 10
#define FAIL_LIMIT_PER_ADDRESS 50
#define KEY_TOKEN_TTL_MAX 900 /* applicant and teacher tokens are short-lived */

struct token_request {
    char *grant_type;
    char *client_id;
    char *client_secret;
    bool basic;
};

static void request_cleanup(struct token_request *t)
{
    free(t->grant_type);
    free(t->client_id);
    if (t->client_secret != NULL)
        sodium_memzero(t->client_secret, strlen(t->client_secret));
    free(t->client_secret);
}

/* The document's limits on the request (TokenRequest). */
#define TOKEN_CLIENT_ID_MAX 64
#define TOKEN_SECRET_MAX 256

static int oauth_error(struct _u_response *resp, struct req_ctx *ctx, unsigned status,
                       const char *error, const char *description)
{
    if (status == 401)
        u_map_put(resp->map_header, "WWW-Authenticate", "Basic realm=\"parceria\"");
    u_map_put(resp->map_header, "Pragma", "no-cache");
    return api_send_json(resp, ctx, status,
                         json_pack("{s:s, s:s}", "error", error, "error_description", description));
}

/* Sets one parameter; a repeated one is an error (RFC 6749 section 3.2). */
static bool set_param(struct token_request *t, const char *name, const char *value)
{
    char **slot = strcmp(name, "grant_type") == 0      ? &t->grant_type
                  : strcmp(name, "client_id") == 0     ? &t->client_id
                  : strcmp(name, "client_secret") == 0 ? &t->client_secret
                                                       : NULL;
    if (slot == NULL)
        return true; /* unrecognised parameters are ignored, as RFC 6749 requires */
    if (*slot != NULL)
        return false;
    *slot = xstrdup(value);
    return true;
}

static bool parse_form(const char *body, size_t len, struct token_request *t)
{
    char *copy = xstrndup(body, len), *save = NULL;
    bool ok = strlen(copy) == len;
    for (char *pair = strtok_r(copy, "&", &save); ok && pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        char *name = query_percent_decode(pair, eq ? (size_t)(eq - pair) : strlen(pair), true);
        char *value = eq ? query_percent_decode(eq + 1, strlen(eq + 1), true) : xstrdup("");
        ok = name != NULL && value != NULL && set_param(t, name, value);
        free(name);
        free(value);
    }
    free(copy);
    return ok;
}

static bool parse_json(const char *body, size_t len, struct token_request *t)
{
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    const char *name;
    json_t *value;
    bool ok = json_is_object(doc);
    json_object_foreach(doc, name, value)
    {
        if (!ok)
            break;
        ok = json_is_string(value) && set_param(t, name, json_string_value(value));
    }
    json_decref(doc);
    return ok;
}

/* Reads the grant from the body and the Authorization header. */
static bool read_request(const struct _u_request *req, struct token_request *t)
{
    const char *ct = u_map_get_case(req->map_header, "Content-Type");
    const char *body = req->binary_body;
    size_t len = req->binary_body_length;
    bool ok = false;
    if (ct != NULL && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
        ok = parse_form(body, len, t);
    else if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0)
        ok = parse_json(body, len, t);
    if (!ok || req->auth_basic_user == NULL)
        return ok;
    if (t->client_id != NULL || t->client_secret != NULL)
        return false; /* one authentication method only (RFC 6749 section 2.3) */
    t->basic = true;
    t->client_id = query_percent_decode(req->auth_basic_user, strlen(req->auth_basic_user), true);
    t->client_secret =
        req->auth_basic_password
            ? query_percent_decode(req->auth_basic_password, strlen(req->auth_basic_password), true)
            : NULL;
    return t->client_id != NULL && t->client_secret != NULL;
}

struct grant {
    const struct token_request *in;
    const struct req_ctx *ctx;
    bool throttled;
    long retry_after;
    bool accepted;
    struct credential cred;
};

/* Peeks (or, with hit, counts) the failure buckets of the client id and the address. */
static enum status failures(PGconn *conn, struct grant *g, bool hit)
{
    /* Per client id *and* address, so nobody elsewhere can lock a client out;
     * hashed, so any client id makes a valid, bounded key. */
    char by_client[200], by_address[120], digest[65];
    char *who = xasprintf("%s\n%s", g->in->client_id, g->ctx->client_ip);
    util_sha256_hex(who, strlen(who), digest);
    free(who);
    snprintf(by_client, sizeof by_client, "tokenfail:client:%s", digest);
    snprintf(by_address, sizeof by_address, "tokenfail:ip:%s", g->ctx->client_ip);
    long n1 = 0, n2 = 0, r1 = 0, r2 = 0;
    enum status (*op)(PGconn *, const char *, unsigned, long *, long *) =
        hit ? store_guard_rate_hit : store_guard_rate_peek;
    enum status st = op(conn, by_client, FAIL_WINDOW_S, &n1, &r1);
    if (st == ST_OK)
        st = op(conn, by_address, FAIL_WINDOW_S, &n2, &r2);
    g->throttled = n1 >= FAIL_LIMIT_PER_CLIENT || n2 >= FAIL_LIMIT_PER_ADDRESS;
    g->retry_after = r1 > r2 ? r1 : r2;
    return st;
}

/* Checks the secret in constant time; an unknown id costs the same work. */
static bool secret_matches(const struct credential *c, const char *secret)
{
    static const char dummy[65] =
        "0000000000000000000000000000000000000000000000000000000000000000";
    char presented[65];
    util_sha256_hex(secret, strlen(secret), presented);
    const char *stored = c->found ? c->secret_hash : dummy;
    bool same = sodium_memcmp(presented, stored, 64) == 0;
    return same && c->found && c->active;
}

static enum status check_grant(PGconn *conn, void *arg)
{
    struct grant *g = arg;
    enum status st = failures(conn, g, false);
    if (st != ST_OK || g->throttled)
        return st;
    bool by_key = util_is_uuid(g->in->client_id);
    st = by_key ? store_client_key_credential(conn, g->in->client_id, &g->cred)
                : store_client_credential(conn, g->in->client_id, &g->cred);
    if (st != ST_OK)
        return st;
    g->accepted = secret_matches(&g->cred, g->in->client_secret);
    if (!g->accepted) {
        st = failures(conn, g, true);
        g->throttled = false; /* this attempt is answered 401; the next ones 429 */
        return st;
    }
    return by_key ? ST_OK : store_client_touch(conn, g->in->client_id);
}

static int issue(struct _u_response *resp, struct req_ctx *ctx, const struct grant *g)
{
    unsigned role = principal_role_from(g->cred.role);
    long ttl = (long)ctx->app->cfg->token_ttl;
    if (role == ROLE_APPLICANT || role == ROLE_TEACHER)
        ttl = ttl < KEY_TOKEN_TTL_MAX ? ttl : KEY_TOKEN_TTL_MAX;
    long now = (long)time(NULL);
    if (g->cred.expires_at > 0 && g->cred.expires_at - now < ttl)
        ttl = (long)(g->cred.expires_at - now);
    if (ttl < 1) /* the key expired between the check and now */
        return oauth_error(resp, ctx, 401, "invalid_client", "client authentication failed");
    struct token_claims c = {.sub = g->in->client_id,
                             .role = role,
                             .ttl = ttl,
                             .registrar_id = g->cred.registrar_id,
                             .application_id = g->in->client_id,
                             .entry_id = g->in->client_id};
    char *token = token_mint(ctx->app->keyring, &c, now);
    if (token == NULL)
        return oauth_error(resp, ctx, 401, "invalid_client", "client authentication failed");
    u_map_put(resp->map_header, "Pragma", "no-cache");
    int rc = api_send_json(resp, ctx, 200,
                           json_pack("{s:s, s:s, s:i}", "access_token", token, "token_type",
                                     "Bearer", "expires_in", (int)ttl));
    sodium_memzero(token, strlen(token));
    free(token);
    return rc;
}

int api_token_issue(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct token_request t = {0};
    int rc;
    if (!read_request(req, &t)) {
        rc = oauth_error(resp, ctx, 400, "invalid_request",
                         "send grant_type, client_id and client_secret once, as a form or JSON, "
                         "with one client authentication method");
        goto out;
    }
    if (t.grant_type == NULL || t.client_id == NULL || t.client_secret == NULL) {
        rc = oauth_error(resp, ctx, t.client_id ? 400 : 401,
                         t.client_id ? "invalid_request" : "invalid_client",
                         "grant_type, client_id and client_secret are required");
        goto out;
    }
    if (util_utf8_length(t.client_id) > TOKEN_CLIENT_ID_MAX ||
        util_utf8_length(t.client_secret) > TOKEN_SECRET_MAX) {
        rc = oauth_error(resp, ctx, 400, "invalid_request",
                         "client_id is at most 64 characters, client_secret at most 256");
        goto out;
    }
    if (strcmp(t.grant_type, "client_credentials") != 0) {
        rc = oauth_error(resp, ctx, 400, "unsupported_grant_type",
                         "only client_credentials is supported");
        goto out;
    }
    struct grant g = {.in = &t, .ctx = ctx};
    struct service_call call;
    rc = U_CALLBACK_COMPLETE;
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        goto out;
    enum status st = service_run(&call, DB_READ_COMMITTED, check_grant, &g);
    if (st != ST_OK) {
        u_map_put(resp->map_header, "Retry-After", "5");
        rc = oauth_error(resp, ctx, 503, "temporarily_unavailable", "retry later");
    } else if (g.throttled) {
        char retry[24];
        snprintf(retry, sizeof retry, "%ld", g.retry_after > 0 ? g.retry_after : 1);
        u_map_put(resp->map_header, "Retry-After", retry);
        metrics_rate_limited();
        rc = oauth_error(resp, ctx, 429, "temporarily_unavailable",
                         "too many failed attempts: retry later");
    } else if (!g.accepted) {
        rc = oauth_error(resp, ctx, 401, "invalid_client", "client authentication failed");
    } else {
        rc = issue(resp, ctx, &g);
    }
out:
    request_cleanup(&t);
    return rc;
}
