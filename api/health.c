/* Service endpoints: liveness, readiness and the OpenAPI document. */
#include "embed.h"
#include "handlers.h"
#include "problem.h"
#include "store_health.h"

int api_health_live(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    return api_send_json(resp, ctx, 200, json_pack("{s:s}", "status", "ok"));
}

int api_health_ready(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    enum migrate_state migrations = MIGRATE_PENDING;
    enum status st = store_health_check(ctx->app->pool, &migrations);
    if (st != ST_OK)
        return problem_send(
            resp, ctx, PROBLEM_SERVICE_UNAVAILABLE,
            (struct problem_text){"The database does not answer.", "A base de dados não responde."},
            json_pack("{s:{s:s, s:s}}", "checks", "database", "unavailable", "migrations",
                      "unknown"));
    /* newer-compatible: the previous release during a rolling deploy;
     * contract-pending: the next one, before `migrate --contract`. */
    if (migrations != MIGRATE_CURRENT && migrations != MIGRATE_NEWER_COMPATIBLE &&
        migrations != MIGRATE_CONTRACT_PENDING)
        return problem_send(
            resp, ctx, PROBLEM_SERVICE_UNAVAILABLE,
            (struct problem_text){migrate_state_text(migrations),
                                  "O esquema da base de dados não está atualizado."},
            json_pack("{s:{s:s, s:s}}", "checks", "database", "ok", "migrations",
                      migrate_state_name(migrations)));
    return api_send_json(resp, ctx, 200,
                         json_pack("{s:s, s:{s:s, s:s}}", "status", "ready", "checks", "database",
                                   "ok", "migrations", migrate_state_name(migrations)));
}

int api_openapi_document(const struct _u_request *req, struct _u_response *resp,
                         struct req_ctx *ctx)
{
    (void)req;
    const struct embed_file *doc = embed_asset("openapi.yaml");
    if (doc == NULL)
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    u_map_put(resp->map_header, "Cache-Control", "public, max-age=300");
    return api_send_text(resp, ctx, 200, "application/yaml", doc->data, doc->size);
}
