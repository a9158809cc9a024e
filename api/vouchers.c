/* Vouchers over HTTP: how one renders for each caller, issuing (one, or up
 * to 1000 all or nothing), redeeming, and a program's statistics. A code is
 * read in any case, with or without dashes and spaces, and a mistyped one is
 * a 422 before any lookup (its check symbol); codes that match nothing count
 * against the caller (guard_miss), so guessing does not pay. Revoking and
 * the list are the kit's (resource.h). */
#include "auth.h"
#include "body.h"
#include "guard.h"
#include "handlers.h"
#include "problem.h"
#include "pt_domain.h"
#include "resource.h"
#include "service_voucher.h"
#include "store_voucher.h"
#include "util.h"
#include "validate.h"
#include "voucher_code.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MISSES "voucher"

static json_t *redemption(const struct voucher_row *v)
{
    if (v->registrar_id[0] == '\0')
        return json_null();
    return json_pack("{s:s, s:s, s:s?, s:s, s:s}", "registrar_id", v->registrar_id, "domain",
                     v->domain, "domain_unicode", v->domain_unicode, "redeemed_at", v->redeemed_at,
                     "service_ends_at", v->service_ends_at);
}

/* Staff see the whole voucher; a registrar its status and, when it was its
 * own, the redemption — never the beneficiary. */
static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct voucher_row *v = row;
    char code[VOUCHER_CODE_TEXT_LEN + 1];
    voucher_code_format(v->code, code);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "code", code, "program", v->program, "status",
                          voucher_status_name(v->status), "expires_at", v->expires_at);
    if (!principal_is_staff(&ctx->who)) {
        bool own = strcmp(v->registrar_id, ctx->who.registrar_id) == 0;
        json_object_set_new(o, "redeemable_by_me", json_boolean(v->redeemable_by_me));
        json_object_set_new(o, "redemption", own ? redemption(v) : json_null());
        return o;
    }
    json_t *staff =
        json_pack("{s:O, s:s, s:o, s:s?, s:s, s:s, s:o}", "beneficiary", v->beneficiary,
                  "issued_at", v->created_at, "redemption", redemption(v), "reason", v->reason,
                  "updated_at", v->updated_at, "status_changed_at", v->status_changed_at,
                  "allowed_actions", resource_actions(&api_vouchers, v, ctx));
    json_object_update(o, staff);
    json_decref(staff);
    return o;
}

static bool key_canonical(const char *raw, char out[RESOURCE_KEY_MAX])
{
    return voucher_code_normalize(raw, out);
}

/* Staff see every voucher; a registrar those it redeemed. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    return resource_scope_own(resp, ctx, q, STORE_VOUCHER_REGISTRAR);
}

static const struct resource_filter filters[] = {
    [STORE_VOUCHER_PROGRAM] = {"program", RESOURCE_FILTER_LIST, validate_program_code},
    [STORE_VOUCHER_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_VOUCHER_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    {0},
};

static const struct resource_list list = {
    .sorts = store_voucher_sorts,
    .nsorts = STORE_VOUCHER_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_voucher_kind,
};

const struct resource api_vouchers = {
    .kind = &service_voucher_kind,
    .path = "/v1/vouchers",
    .key = "code",
    .key_canonical = key_canonical,
    .key_malformed = ERR_VOUCHER_CODE,
    .render = render,
    .list = &list,
};

/* --- reading one, counting misses --------------------------------------- */

int api_vouchers_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    if (!guard_misses_left(resp, ctx, MISSES))
        return U_CALLBACK_COMPLETE;
    int rc = resource_get(req, resp, ctx);
    if (resp->status == 404)
        guard_miss(ctx, MISSES);
    return rc;
}

/* --- redeeming ----------------------------------------------------------- */

static const struct field redeem_fields[] = {
    {.name = "domain", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .max = 253 * 4},
    {0},
};

struct redeemed {
    const char *code;
    struct pt_domain domain;
    struct voucher_row row;
    bool unchanged;
};

static enum status redeem(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct redeemed *r = arg;
    return service_voucher_redeem(call, r->code, r->domain.ascii, r->domain.unicode, &r->row,
                                  &r->unchanged, outcome);
}

static void render_redeemed(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct redeemed *r = arg;
    resource_etag(resp, r->row.version);
    api_set_json(resp, 200, render(&r->row, ctx));
}

int api_vouchers_redeem(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    char key[RESOURCE_KEY_MAX];
    struct redeemed r = {.code = NULL};
    if (!guard_misses_left(resp, ctx, MISSES) ||
        (r.code = resource_visible_id(resp, ctx, &api_vouchers, key)) == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *body = body_read(req, resp, ctx, redeem_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (body == NULL)
        return U_CALLBACK_COMPLETE;
    enum error_code why = ERR_NONE;
    int rc;
    if (!pt_domain_parse(json_string_value(json_object_get(body, "domain")), &r.domain, &why)) {
        json_t *errors = json_array();
        schema_error(errors, "/domain", NULL, why, ctx->lang_pt);
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:o}", "errors", errors));
    } else {
        struct resource_change change = {redeem, &r, render_redeemed, &r, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_vouchers, &change);
        if (resp->status == 404)
            guard_miss(ctx, MISSES);
    }
    voucher_row_cleanup(&r.row);
    json_decref(body);
    return rc;
}

/* --- issuing ------------------------------------------------------------- */

static const char *const beneficiary_types[] = {"business", "school_team", "person", NULL};

static const struct field beneficiary[] = {
    {.name = "type", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = beneficiary_types},
    FIELD_TEXT("name", FIELD_REQUIRED, 1, 200),
    FIELD_RULE("nif", 0, 9, validate_nif, ERR_NIF),
    FIELD_RULE("email", FIELD_REQUIRED, 254, validate_email, ERR_EMAIL),
    {0},
};

static const struct field one_voucher[] = {
    FIELD_OBJ("beneficiary", FIELD_REQUIRED, beneficiary),
    {.name = "expires_at", .type = FIELD_TIMESTAMP},
    {0},
};

/* One voucher ({beneficiary, expires_at}) or {"vouchers": [...]}. */
static const struct field issue_fields[] = {
    FIELD_OBJ("beneficiary", 0, beneficiary),
    {.name = "expires_at", .type = FIELD_TIMESTAMP},
    FIELD_OBJS("vouchers", 0, one_voucher, 1, SERVICE_VOUCHER_MAX_ISSUE),
    {0},
};

/* Exactly one of beneficiary and vouchers; expires_at goes with one
 * voucher; every expires_at in the future. */
static bool issue_whole(const json_t *doc, bool pt, json_t *errors)
{
    json_t *many = json_object_get(doc, "vouchers"), *one = json_object_get(doc, "beneficiary");
    if (many == NULL && one == NULL)
        schema_error(errors, "/beneficiary", NULL, ERR_REQUIRED, pt);
    if (many != NULL && one != NULL)
        schema_error(errors, "/beneficiary", NULL, ERR_NOT_ALLOWED, pt);
    if (many != NULL && json_object_get(doc, "expires_at") != NULL)
        schema_error(errors, "/expires_at", NULL, ERR_NOT_ALLOWED, pt);
    char now[UTIL_RFC3339_LEN + 1];
    util_rfc3339(time(NULL), now);
    const char *at = json_string_value(json_object_get(doc, "expires_at"));
    if (at != NULL && strcmp(at, now) <= 0)
        schema_error(errors, "/expires_at", NULL, ERR_PAST, pt);
    size_t i;
    json_t *v;
    json_array_foreach(many, i, v)
    {
        at = json_string_value(json_object_get(v, "expires_at"));
        if (at != NULL && strcmp(at, now) <= 0) {
            char ptr[48];
            snprintf(ptr, sizeof ptr, "/vouchers/%zu/expires_at", i);
            schema_error(errors, ptr, NULL, ERR_PAST, pt);
        }
    }
    return json_array_size(errors) == 0;
}

struct issued {
    const char *program;
    struct voucher_new *in;
    struct voucher_row *rows;
    size_t n;
    bool many;
};

static enum status issue(const struct service_call *call, void *arg,
                         struct service_outcome *outcome)
{
    struct issued *is = arg;
    return service_voucher_issue(call, is->program, is->in, is->n, is->rows, outcome);
}

/* One voucher: 201 with it and its Location; many: 201 with them all. */
static void render_issued(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct issued *is = arg;
    if (!is->many) {
        resource_set_created(resp, ctx, &api_vouchers, &is->rows[0], NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < is->n; i++)
        json_array_append_new(items, render(&is->rows[i], ctx));
    api_set_json(resp, 201, json_pack("{s:o, s:I}", "vouchers", items, "count", (json_int_t)is->n));
}

int api_vouchers_issue(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    const char *program = api_param(ctx, "code");
    if (!validate_program_code(program))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    json_t *doc = body_read(req, resp, ctx, issue_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (!issue_whole(doc, ctx->lang_pt, errors)) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
        goto out;
    }
    json_t *many = json_object_get(doc, "vouchers");
    struct issued is = {.program = program, .many = many != NULL};
    is.n = many ? json_array_size(many) : 1;
    is.in = xcalloc(is.n, sizeof *is.in);
    is.rows = xcalloc(is.n, sizeof *is.rows);
    for (size_t i = 0; i < is.n; i++) {
        const json_t *item = many ? json_array_get(many, i) : doc;
        is.in[i].beneficiary = json_object_get(item, "beneficiary");
        is.in[i].expires_at = json_string_value(json_object_get(item, "expires_at"));
    }
    struct resource_change change = {issue, &is, render_issued, &is, NULL, NULL, NULL};
    rc = resource_change(resp, ctx, &api_vouchers, &change);
    for (size_t i = 0; i < is.n; i++)
        voucher_row_cleanup(&is.rows[i]);
    free(is.rows);
    free(is.in);
out:
    json_decref(errors);
    json_decref(doc);
    return rc;
}

/* --- statistics ---------------------------------------------------------- */

int api_vouchers_stats(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    const char *program = api_param(ctx, "code");
    struct service_call call;
    if (!validate_program_code(program))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    long long counts[VOUCHER_STATUS_COUNT];
    json_t *by_registrar = NULL;
    enum status st = service_voucher_stats(&call, program, counts, &by_registrar);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    json_t *body = json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "program", program, "issued",
        (json_int_t)(counts[VOUCHER_ISSUED] + counts[VOUCHER_REDEEMED] + counts[VOUCHER_EXPIRED] +
                     counts[VOUCHER_REVOKED]),
        "outstanding", (json_int_t)counts[VOUCHER_ISSUED], "redeemed",
        (json_int_t)counts[VOUCHER_REDEEMED], "expired", (json_int_t)counts[VOUCHER_EXPIRED],
        "revoked", (json_int_t)counts[VOUCHER_REVOKED], "redemptions_by_registrar", by_registrar);
    return api_send_json(resp, ctx, 200, body);
}
