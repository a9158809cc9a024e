/* GET /v1/me: who the token says the caller is, with its registrar. */
#include "handlers.h"
#include "problem.h"
#include "store_registrar.h"
#include "util.h"

#include <time.h>

int api_me(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    const struct principal *who = &ctx->who;
    char expires[UTIL_RFC3339_LEN + 1];
    util_rfc3339((time_t)who->expires_at, expires);
    json_t *body = json_pack("{s:s, s:s, s:s, s:n}", "sub", who->sub, "role",
                             principal_role_name(who->role), "expires_at", expires, "registrar");
    if (who->role == ROLE_REGISTRAR) {
        struct registrar_brief brief;
        PGconn *conn = NULL;
        enum status st = api_conn(ctx, &conn);
        if (st == ST_OK)
            st = store_registrar_brief(conn, who->registrar_id, &brief);
        if (st != ST_OK && st != ST_NOT_FOUND) {
            json_decref(body);
            return problem_send_status(resp, ctx, st);
        }
        if (st == ST_OK)
            json_object_set_new(body, "registrar",
                                json_pack("{s:s, s:s, s:s, s:s}", "id", brief.id, "handle",
                                          brief.handle, "trade_name", brief.trade_name, "status",
                                          registrar_status_name(brief.status)));
    }
    if (who->role == ROLE_APPLICANT)
        json_object_set_new(body, "application_id", json_string(who->application_id));
    if (who->role == ROLE_TEACHER)
        json_object_set_new(body, "entry_id", json_string(who->entry_id));
    return api_send_json(resp, ctx, 200, body);
}
