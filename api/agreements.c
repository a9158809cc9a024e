/* Data-processing agreements over HTTP (issue 16, H1): the public versions
 * (the kit reads them; a version is addressed by its key and never
 * changes), publishing one, a registrar's acceptance, and a registrar's
 * standing. The gate itself lives in the service (service_agreement_gate). */
#include "agreement.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_agreement.h"
#include "store_agreement.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static bool version_valid(const char *s)
{
    return agreement_version_valid(s);
}

static bool sha256_valid(const char *s)
{
    return agreement_sha256_valid(s);
}

static const struct field create_fields[] = {
    FIELD_RULE("version", FIELD_REQUIRED, AGREEMENT_VERSION_MAX, version_valid, ERR_FORMAT),
    FIELD_TEXT("title", FIELD_REQUIRED, 1, 200),
    FIELD_RULE("document_url", FIELD_REQUIRED, 2048, validate_website, ERR_URL),
    FIELD_RULE("document_sha256", FIELD_REQUIRED, AGREEMENT_SHA256_LEN, sha256_valid, ERR_FORMAT),
    {.name = "effective_at", .type = FIELD_TIMESTAMP, .flags = FIELD_REQUIRED},
    {.name = "accept_by", .type = FIELD_TIMESTAMP, .flags = FIELD_REQUIRED},
    {0},
};

static const struct field accept_fields[] = {
    FIELD_RULE("document_sha256", FIELD_REQUIRED, AGREEMENT_SHA256_LEN, sha256_valid, ERR_FORMAT),
    {0},
};

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    (void)ctx;
    const struct agreement_row *a = row;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "version", a->version, "title",
                     a->title, "document_url", a->document_url, "document_sha256",
                     a->document_sha256, "effective_at", a->effective_at, "accept_by", a->accept_by,
                     "created_at", a->created_at);
}

static const struct resource_list list = {
    .sorts = store_agreement_sorts,
    .nsorts = STORE_AGREEMENT_SORTS,
    .default_sort = "effective_at",
    .kind = &service_agreement_kind,
};

const struct resource api_agreements = {
    .kind = &service_agreement_kind,
    .path = "/v1/agreements",
    .key = "version",
    .key_valid = version_valid,
    .render = render,
    .list = &list,
    .public_max_age = 60, /* public documents: any cache may keep them */
};

/* --- publishing ---------------------------------------------------------- */

struct created {
    struct agreement_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    (void)outcome;
    struct created *c = arg;
    return service_agreement_create(call, &c->in, &c->row);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_agreements, &c->row, NULL);
}

static void text_into(char *dst, size_t cap, const json_t *doc, const char *name)
{
    snprintf(dst, cap, "%s", json_string_value(json_object_get(doc, name)) ?: "");
}

int api_agreements_create(const struct _u_request *req, struct _u_response *resp,
                          struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct created c = {0};
    text_into(c.in.version, sizeof c.in.version, doc, "version");
    text_into(c.in.title, sizeof c.in.title, doc, "title");
    text_into(c.in.document_url, sizeof c.in.document_url, doc, "document_url");
    text_into(c.in.document_sha256, sizeof c.in.document_sha256, doc, "document_sha256");
    text_into(c.in.effective_at, sizeof c.in.effective_at, doc, "effective_at");
    text_into(c.in.accept_by, sizeof c.in.accept_by, doc, "accept_by");
    int rc;
    if (!agreement_dates_valid(&c.in)) {
        json_t *errors = json_array();
        schema_error(errors, "/accept_by", NULL, ERR_BEFORE_EFFECTIVE, ctx->lang_pt);
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:o}", "errors", errors));
    } else {
        struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_agreements, &change);
    }
    json_decref(doc);
    return rc;
}

/* --- accepting ----------------------------------------------------------- */

static json_t *acceptance_json(const struct agreement_acceptance *x)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "version", x->version, "registrar_id",
                     x->registrar_id, "accepted_at", x->accepted_at, "accepted_by", x->accepted_by,
                     "address_hash", x->address_hash, "document_sha256", x->document_sha256);
}

struct accepted {
    const char *version, *sha256, *address;
    struct agreement_acceptance row;
    bool created;
};

static enum status accept_one(const struct service_call *call, void *arg,
                              struct service_outcome *outcome)
{
    struct accepted *a = arg;
    return service_agreement_accept(call, a->version, a->sha256, a->address, &a->row, &a->created,
                                    outcome);
}

static void render_accepted(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct accepted *a = arg;
    api_set_json(resp, a->created ? 201 : 200, acceptance_json(&a->row));
}

int api_agreements_accept(const struct _u_request *req, struct _u_response *resp,
                          struct req_ctx *ctx)
{
    char key[RESOURCE_KEY_MAX];
    const char *version = resource_visible_id(resp, ctx, &api_agreements, key);
    if (version == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *doc = body_read(req, resp, ctx, accept_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct accepted a = {.version = version,
                         .sha256 = json_string_value(json_object_get(doc, "document_sha256")),
                         .address = ctx->client_ip};
    struct resource_change change = {accept_one, &a, render_accepted, &a, NULL, NULL, NULL};
    int rc = resource_change(resp, ctx, &api_agreements, &change);
    json_decref(doc);
    return rc;
}

/* --- a registrar's standing ---------------------------------------------- */

int api_registrar_agreements(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    (void)req;
    const char *id = api_param(ctx, "id");
    struct service_call call;
    if (id == NULL || !util_is_uuid(id))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    json_t *body = NULL;
    enum status st = service_agreement_standing(&call, id, &body);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    return api_send_json(resp, ctx, 200, body);
}
