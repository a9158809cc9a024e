/* Accreditation applications over HTTP: the field table, how one renders,
 * the list spec, and the two handlers the kit does not cover (a public
 * submission that hands out an access key, and the one-time collection of
 * the first API client). Everything else is the kit's (resource.h). */
#include "application.h"
#include "auth.h"
#include "body.h"
#include "fields.h"
#include "guard.h"
#include "handlers.h"
#include "merge.h"
#include "problem.h"
#include "resource.h"
#include "service_application.h"
#include "store_application.h"
#include "util.h"
#include "validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct field api_application_fields[] = {
    FIELD_TEXT("legal_name", FIELD_REQUIRED, 1, 200),
    FIELD_TEXT("trade_name", FIELD_REQUIRED, 1, 100),
    FIELD_RULE("nif", FIELD_NULLABLE, 9, validate_nif, ERR_NIF),
    FIELD_RULE("vat_number", FIELD_NULLABLE, 20, validate_vat_shape, ERR_VAT_NUMBER),
    FIELD_RULE("country", FIELD_NULLABLE, 2, validate_country, ERR_COUNTRY),
    FIELD_OBJ("address", FIELD_REQUIRED, fields_address),
    FIELD_RULE("website", FIELD_REQUIRED, 2048, validate_website, ERR_URL),
    FIELD_OBJS("contacts", FIELD_REQUIRED, fields_contact, 1, 10),
    FIELD_TEXT("accepted_terms_version", FIELD_REQUIRED, 1, 20),
    FIELD_STRS("requested_programs", FIELD_NULLABLE, 10, validate_program_code, ERR_PROGRAM_CODE),
    {0},
};

/* The whole document's rules: each field, then the rules across fields. */
static bool document_valid(const json_t *doc, bool pt, json_t *errors)
{
    schema_validate(doc, api_application_fields, SCHEMA_CREATE, 0, pt, errors);
    struct field_issue issues[APPLICATION_MAX_ISSUES];
    return json_array_size(errors) == 0 &&
           schema_issues(errors, issues, application_check(doc, issues, APPLICATION_MAX_ISSUES),
                         pt);
}

/* id first, then the document's fields, then the rest, as documented. */
static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct application_row *r = row;
    json_t *o = json_pack("{s:s, s:s}", "id", r->id, "status", application_status_name(r->status));
    json_t *doc = application_to_json(&r->doc);
    json_object_update(o, doc);
    json_decref(doc);
    json_t *meta = json_pack("{s:s?, s:s?, s:b, s:s, s:s, s:s, s:s, s:o}", "reason", r->reason,
                             "registrar_id", r->registrar_id[0] ? r->registrar_id : NULL,
                             "credentials_collected", r->credentials_collected, "submitted_at",
                             r->submitted_at, "created_at", r->created_at, "updated_at",
                             r->updated_at, "status_changed_at", r->status_changed_at,
                             "allowed_actions", resource_actions(&api_applications, r, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Staff, or the applicant whose token names this application. */
static bool visible(const struct req_ctx *ctx, const char *id)
{
    return principal_is_staff(&ctx->who) ||
           (ctx->who.role == ROLE_APPLICANT && strcmp(ctx->who.application_id, id) == 0);
}

/* The document as a patch applies to it: absent optional members are left
 * out, not nulls to judge. */
static json_t *editable_json(const void *row)
{
    json_t *doc = application_to_json(&((const struct application_row *)row)->doc);
    json_t *absent = json_object();
    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value) if (json_is_null(value))
        json_object_set(absent, key, value);
    merge_patch(doc, absent);
    json_decref(absent);
    return doc;
}

/* The merged document is judged whole, as a new submission would be. */
static bool editable_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct application_row *out = row;
    if (!document_valid(doc, pt, errors))
        return false;
    application_from_json(doc, &out->doc);
    application_normalise(&out->doc);
    return true;
}

static const struct resource_editable editable = {editable_json, NULL, editable_from};

static int refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome)
{
    const char *which = outcome->conflict;
    if (st != ST_CONFLICT || which == NULL)
        return RESOURCE_DEFAULT;
    bool reg = which == SERVICE_CONFLICT_REGISTRAR;
    return problem_send(
        resp, ctx, PROBLEM_DUPLICATE,
        reg ? (struct problem_text){"A registrar already has this tax number.",
                                    "Já existe um registrar com este número fiscal."}
            : (struct problem_text){"Another open application has this tax number.",
                                    "Outra candidatura em aberto tem este número fiscal."},
        json_pack("{s:s}", "conflict", which));
}

static const struct resource_filter filters[] = {
    [STORE_APPLICATION_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_APPLICATION_Q] = {"q", RESOURCE_FILTER_TEXT, NULL},
    [STORE_APPLICATION_SUBMITTED_FROM] = {"submitted_from", RESOURCE_FILTER_TIMESTAMP, NULL},
    [STORE_APPLICATION_SUBMITTED_TO] = {"submitted_to", RESOURCE_FILTER_TIMESTAMP, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_application_sorts,
    .nsorts = STORE_APPLICATION_SORTS,
    .filters = filters,
    .kind = &service_application_kind,
};

const struct resource api_applications = {
    .kind = &service_application_kind,
    .path = "/v1/accreditation-applications",
    .visible = visible,
    .render = render,
    .patch_fields = api_application_fields,
    .editable = &editable,
    .refused = refused,
    .list = &list,
};

/* --- submission ---------------------------------------------------------- */

struct created {
    const struct application *doc;
    char key[UTIL_SECRET_LEN + 1], key_hash[65];
    struct application_row row;
    struct _u_response *resp;
    struct req_ctx *ctx;
    const char *email;
};

/* The submission's limits per address and per admin email: looked at first
 * in its transaction, counted last (guard_public_limits). */
static enum status limits(PGconn *conn, struct created *c, bool hit)
{
    const char *kinds[] = {"ip", "email"}, *values[] = {c->ctx->client_ip, c->email};
    return guard_public_limits(conn, hit, c->resp, c->ctx, "application", kinds, values, 2);
}

static enum status look_at_limits(PGconn *conn, void *arg)
{
    return limits(conn, arg, false);
}

static enum status count_submission(PGconn *conn, void *arg)
{
    return limits(conn, arg, true);
}

static enum status submit(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_application_submit(call, c->doc, c->key_hash, &c->row, outcome);
}

/* 201 with the application and its access key, shown this once. */
static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_applications, &c->row,
                         json_pack("{s:s}", "access_key", c->key));
}

int api_applications_create(const struct _u_request *req, struct _u_response *resp,
                            struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, api_application_fields, SCHEMA_CREATE, 0, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *errors = json_array();
    char *email = NULL;
    int rc = U_CALLBACK_COMPLETE;
    if (!document_valid(doc, ctx->lang_pt, errors)) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
        goto out;
    }
    struct application app;
    application_from_json(doc, &app);
    application_normalise(&app);
    email = application_admin_email(&app);
    struct created c = {.doc = &app, .resp = resp, .ctx = ctx, .email = email};
    util_secret(c.key);
    util_sha256_hex(c.key, strlen(c.key), c.key_hash);
    struct resource_change change = {submit,           &c, render_created, &c, look_at_limits,
                                     count_submission, &c};
    rc = resource_change(resp, ctx, &api_applications, &change);
    sodium_memzero(c.key, sizeof c.key);
    application_row_cleanup(&c.row);
    application_cleanup(&app);
out:
    free(email);
    json_decref(errors);
    json_decref(doc);
    return rc;
}

/* --- collect-credentials ------------------------------------------------- */

struct collected {
    struct service_application_credentials cred;
    const char *secret;
};

static void render_credentials(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct collected *c = arg;
    json_t *body = api_client_json(&c->cred.client);
    json_object_set_new(body, "client_secret", json_string(c->secret));
    api_set_json(resp, 201, body);
}

int api_applications_credentials(const struct _u_request *req, struct _u_response *resp,
                                 struct req_ctx *ctx)
{
    char secret[UTIL_SECRET_LEN + 1];
    struct collected c = {.secret = secret};
    util_secret(secret);
    util_sha256_hex(secret, strlen(secret), c.cred.secret_hash);
    int rc = resource_act_with(req, resp, ctx, APPLICATION_ACT_COLLECT_CREDENTIALS, &c.cred,
                               render_credentials, &c);
    sodium_memzero(secret, sizeof secret);
    return rc;
}
