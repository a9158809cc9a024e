/* GET /v1/me: who the token says the caller is, with its registrar. */
#include "handlers.h"
#include "problem.h"
#include "store_registrars.h"
#include "util.h"

#include <time.h>

struct me_args {
    const char *registrar_id;
    struct registrar_brief brief;
};

static enum status load(PGconn *conn, void *arg)
{
    struct me_args *a = arg;
    return store_registrar_brief(conn, a->registrar_id, &a->brief);
}

int api_me(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    const struct principal *who = &ctx->who;
    char expires[UTIL_RFC3339_LEN + 1];
    util_rfc3339((time_t)who->expires_at, expires);
    json_t *body = json_pack("{s:s, s:s, s:s, s:n}", "sub", who->sub, "role",
                             principal_role_name(who->role), "expires_at", expires, "registrar");
    if (who->role == ROLE_REGISTRAR) {
        struct me_args a = {.registrar_id = who->registrar_id};
        enum status st = db_with_conn(ctx->app->pool, load, &a);
        if (st != ST_OK && st != ST_NOT_FOUND) {
            json_decref(body);
            return problem_send_status(resp, ctx, st);
        }
        if (st == ST_OK)
            json_object_set_new(body, "registrar",
                                json_pack("{s:s, s:s, s:s, s:s}", "id", a.brief.id, "handle",
                                          a.brief.handle, "trade_name", a.brief.trade_name,
                                          "status", a.brief.status));
    }
    if (who->role == ROLE_APPLICANT)
        json_object_set_new(body, "application_id", json_string(who->application_id));
    if (who->role == ROLE_TEACHER)
        json_object_set_new(body, "entry_id", json_string(who->entry_id));
    return api_send_json(resp, ctx, 200, body);
}
