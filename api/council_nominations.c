/* Nominations to the Conselho Consultivo over HTTP: nominating (POST
 * /v1/council/terms/{id}/nominations, a registrar), a term's list (the
 * public sees the accepted ones; a registrar those and its own; staff all)
 * and how one renders. Reading, history, accept and reject are the kit's. */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_council.h"
#include "store_council.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct field create_fields[] = {
    FIELD_TEXT("nominee_name", FIELD_REQUIRED, 1, 200),
    FIELD_TEXT("statement", FIELD_REQUIRED | FIELD_LINES, 1, 5000),
    {0},
};

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct council_nomination_row *n = row;
    return json_pack(
        "{s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o}", "id", n->id, "term_id",
        n->term_id, "registrar", "id", n->registrar_id, "trade_name", n->registrar_name,
        "nominee_name", n->nominee_name, "statement", n->statement ? n->statement : "", "status",
        council_nomination_status_name(n->status), "reason", api_json_text(n->reason), "created_at",
        n->created_at, "updated_at", n->updated_at, "status_changed_at", n->status_changed_at,
        "allowed_actions", resource_actions(&api_council_nominations, n, ctx));
}

/* Staff see every nomination; a registrar its own; everyone the accepted. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    const struct council_nomination_row *n = row;
    return principal_is_staff(&ctx->who) || n->status == NOMINATION_ACCEPTED ||
           (ctx->who.role == ROLE_REGISTRAR && strcmp(ctx->who.registrar_id, n->registrar_id) == 0);
}

/* A term's nominations: the term is the path's, one the caller may see. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    struct service_call call;
    struct council_term_row term = {0};
    if (!resource_read(resp, ctx, &api_council_terms, &call, &term))
        return false;
    free(q->filters[STORE_COUNCIL_NOMINATION_TERM]);
    q->filters[STORE_COUNCIL_NOMINATION_TERM] = xstrdup(term.id);
    q->full = principal_is_staff(&ctx->who);
    free(q->filters[STORE_COUNCIL_NOMINATION_VIEWER]);
    q->filters[STORE_COUNCIL_NOMINATION_VIEWER] =
        ctx->who.role == ROLE_REGISTRAR ? xstrdup(ctx->who.registrar_id) : NULL;
    return true;
}

static const struct resource_filter filters[] = {
    [STORE_COUNCIL_NOMINATION_TERM] = {"term_id", RESOURCE_FILTER_LIST,
                                       resource_valid_uuid}, /* never a query parameter */
    [STORE_COUNCIL_NOMINATION_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_COUNCIL_NOMINATION_VIEWER] = {"viewer", RESOURCE_FILTER_LIST,
                                         resource_valid_uuid}, /* never a query parameter */
    {0},
};

static const struct resource_list list = {
    .sorts = store_council_nomination_sorts,
    .nsorts = STORE_COUNCIL_NOMINATION_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_council_nomination_kind,
};

const struct resource api_council_nominations = {
    .kind = &service_council_nomination_kind,
    .path = "/v1/council/nominations",
    .readable = readable,
    .render = render,
    .refused = api_council_refused,
    .list = &list,
    .public_max_age = 60,
};

struct nominated {
    struct council_nomination_row in, row;
};

static enum status nominate(const struct service_call *call, void *arg,
                            struct service_outcome *outcome)
{
    struct nominated *n = arg;
    return service_council_nominate(call, &n->in, &n->row, outcome);
}

static void render_nominated(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct nominated *n = arg;
    resource_set_created(resp, ctx, &api_council_nominations, &n->row, NULL);
}

int api_council_nominations_create(const struct _u_request *req, struct _u_response *resp,
                                   struct req_ctx *ctx)
{
    struct service_call call;
    struct council_term_row term = {0};
    if (!resource_read(resp, ctx, &api_council_terms, &call, &term))
        return U_CALLBACK_COMPLETE;
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct nominated n = {0};
    snprintf(n.in.term_id, sizeof n.in.term_id, "%s", term.id);
    snprintf(n.in.registrar_id, sizeof n.in.registrar_id, "%.36s", ctx->who.registrar_id);
    snprintf(n.in.nominee_name, sizeof n.in.nominee_name, "%s",
             json_string_value(json_object_get(doc, "nominee_name")));
    n.in.statement = xstrdup(json_string_value(json_object_get(doc, "statement")));
    struct resource_change change = {nominate, &n, render_nominated, &n, NULL, NULL, NULL};
    int rc = resource_change(resp, ctx, &api_council_nominations, &change);
    council_nomination_row_cleanup(&n.in);
    council_nomination_row_cleanup(&n.row);
    json_decref(doc);
    return rc;
}
