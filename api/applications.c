/* Accreditation applications: public submission with an access key, the
 * review state machine (src/domain/application.c), edits by merge patch with
 * If-Match, approval that creates the registrar, and the one-time collection
 * of the registrar's first API client. */
#include "application.h"
#include "auth.h"
#include "guard.h"
#include "handlers.h"
#include "input.h"
#include "problem.h"
#include "resource.h"
#include "store_accreditation.h"
#include "store_clients.h"
#include "util.h"
#include "validate.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const contact_types[] = {"admin",    "technical", "billing",
                                            "security", "abuse",     NULL};

static const char *check_program_code(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n > 40 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return "program_code";
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
            return "program_code";
    return NULL;
}

const struct field api_address_fields[] = {
    {.name = "street", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 200},
    {.name = "postal_code",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 12,
     .check = check_postal_code},
    {.name = "city", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 100},
    {.name = "country",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 2,
     .check = check_country},
    {0},
};

const struct field api_contact_fields[] = {
    {.name = "type", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = contact_types},
    {.name = "name", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 100},
    {.name = "email",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 254,
     .check = check_email},
    {.name = "phone",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 16,
     .check = check_phone},
    {0},
};

const struct field api_application_fields[] = {
    {.name = "legal_name", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 200},
    {.name = "trade_name", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 100},
    {.name = "nif", .type = FIELD_STRING, .flags = FIELD_NULLABLE, .max = 9, .check = check_nif},
    {.name = "vat_number",
     .type = FIELD_STRING,
     .flags = FIELD_NULLABLE,
     .max = 20,
     .check = check_vat_number},
    {.name = "country",
     .type = FIELD_STRING,
     .flags = FIELD_NULLABLE,
     .max = 2,
     .check = check_country},
    {.name = "address",
     .type = FIELD_OBJECT,
     .flags = FIELD_REQUIRED,
     .fields = api_address_fields},
    {.name = "website",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 2048,
     .check = check_website},
    {.name = "contacts",
     .type = FIELD_ARRAY,
     .flags = FIELD_REQUIRED,
     .item_type = FIELD_OBJECT,
     .fields = api_contact_fields,
     .min = 1,
     .max = 10},
    {.name = "accepted_terms_version",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .min = 1,
     .max = 20},
    {.name = "requested_programs",
     .type = FIELD_ARRAY,
     .flags = FIELD_NULLABLE,
     .item_type = FIELD_STRING,
     .max = 10,
     .check = check_program_code},
    {0},
};

static const struct page_sort application_sorts[] = {{"created_at", 0}, {"submitted_at", 1}};

/* The whole document's rules: each field, then the rules across fields. */
static bool document_valid(const json_t *doc, bool pt, json_t *errors)
{
    input_validate(doc, api_application_fields, INPUT_CREATE, 0, pt, errors);
    struct application_issue issues[APPLICATION_MAX_ISSUES];
    size_t n =
        json_array_size(errors) == 0 ? application_check(doc, issues, APPLICATION_MAX_ISSUES) : 0;
    for (size_t i = 0; i < n; i++)
        input_error(errors, issues[i].pointer, NULL, issues[i].code, pt);
    return json_array_size(errors) == 0;
}

/* Fills defaults (country PT with a NIF) and drops nulls left by a patch. */
static void normalise(json_t *doc)
{
    if (!json_is_string(json_object_get(doc, "country")) &&
        json_is_string(json_object_get(doc, "nif")))
        json_object_set_new(doc, "country", json_string("PT"));
    const char *vat = json_string_value(json_object_get(doc, "vat_number"));
    const char *country = json_string_value(json_object_get(doc, "country"));
    char *canonical = vat && country ? validate_vat_normalize(country, vat) : NULL;
    if (canonical != NULL)
        json_object_set_new(doc, "vat_number", json_string(canonical));
    free(canonical);
}

/* The admin contact's email, lowercased, for the per-email limit. */
static char *admin_email(const json_t *doc)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(doc, "contacts"), i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));
        const char *email = json_string_value(json_object_get(c, "email"));
        if (type && email && strcmp(type, "admin") == 0) {
            char *out = xstrdup(email);
            for (char *p = out; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            return out;
        }
    }
    return xstrdup("");
}

static json_t *application_json(const struct application_row *r, const struct req_ctx *ctx)
{
    json_t *o = json_deep_copy(r->document);
    static const char *const optional[] = {"nif", "vat_number", "country"};
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(o, optional[i]) == NULL)
            json_object_set_new(o, optional[i], json_null());
    if (json_object_get(o, "requested_programs") == NULL)
        json_object_set_new(o, "requested_programs", json_array());
    enum application_status status = APPLICATION_SUBMITTED;
    const char *names[APPLICATION_ACTION_COUNT];
    size_t n = 0;
    if (application_status_parse(r->status, &status))
        n = application_allowed_actions(status, ctx->who.role, r->credentials_collected, names,
                                        APPLICATION_ACTION_COUNT);
    json_t *meta = json_pack(
        "{s:s, s:s, s:s?, s:s?, s:b, s:s, s:s, s:s, s:s, s:o}", "id", r->id, "status", r->status,
        "reason", r->reason, "registrar_id", r->registrar_id[0] ? r->registrar_id : NULL,
        "credentials_collected", r->credentials_collected, "submitted_at", r->submitted_at,
        "created_at", r->created_at, "updated_at", r->updated_at, "status_changed_at",
        r->status_changed_at, "allowed_actions", resource_actions(names, n));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

static int send_application(struct _u_response *resp, struct req_ctx *ctx, unsigned status,
                            const struct application_row *row, const char *access_key)
{
    json_t *body = application_json(row, ctx);
    if (access_key != NULL)
        json_object_set_new(body, "access_key", json_string(access_key));
    resource_etag(resp, row->version);
    return api_send_json(resp, ctx, status, body);
}

static int send_duplicate(struct _u_response *resp, struct req_ctx *ctx, enum duplicate_kind dup)
{
    bool reg = dup == DUPLICATE_REGISTRAR;
    return problem_send(
        resp, ctx, PROBLEM_DUPLICATE,
        reg ? (struct problem_text){"A registrar already has this tax number.",
                                    "Já existe um registrar com este número fiscal."}
            : (struct problem_text){"Another open application has this tax number.",
                                    "Outra candidatura em aberto tem este número fiscal."},
        json_pack("{s:s}", "conflict", reg ? "registrar" : "open_application"));
}

struct create_args {
    json_t *doc;
    char *tax_id, *email;
    char key_hash[65];
    struct audit_actor actor;
    struct application_row row;
    enum duplicate_kind dup;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create_args *a = arg;
    return store_application_create(conn, a->doc, a->tax_id, a->email, a->key_hash, &a->actor,
                                    &a->row, &a->dup);
}

/* Public submissions: PARCERIA_PUBLIC_RATE_LIMIT per hour per address and
 * per email; staff tokens are exempt. */
static bool public_limit(struct _u_response *resp, struct req_ctx *ctx, const char *kind,
                         const char *value)
{
    if (principal_is_staff(&ctx->who))
        return true;
    char bucket[128], digest[65];
    util_sha256_hex(value, strlen(value), digest); /* any value makes a valid, bounded key */
    snprintf(bucket, sizeof bucket, "public:application:%s:%s", kind, digest);
    return guard_rate_limit(resp, ctx, bucket, ctx->app->cfg->public_rate_limit, 3600);
}

static int create_validated(struct _u_response *resp, struct req_ctx *ctx, struct create_args *a)
{
    char key[UTIL_SECRET_LEN + 1];
    util_secret(key);
    util_sha256_hex(key, strlen(key), a->key_hash);
    auth_actor(ctx, &a->actor);
    enum status st = db_transaction(ctx->app->pool, create_tx, a);
    int rc;
    if (st == ST_CONFLICT) {
        rc = send_duplicate(resp, ctx, a->dup);
    } else if (st != ST_OK) {
        rc = problem_send_status(resp, ctx, st);
    } else {
        char *location = xasprintf("/v1/accreditation-applications/%s", a->row.id);
        u_map_put(resp->map_header, "Location", location);
        free(location);
        rc = send_application(resp, ctx, 201, &a->row, key);
    }
    sodium_memzero(key, sizeof key);
    return rc;
}

int api_applications_create(const struct _u_request *req, struct _u_response *resp,
                            struct req_ctx *ctx)
{
    if (!public_limit(resp, ctx, "ip", ctx->client_ip))
        return U_CALLBACK_COMPLETE;
    json_t *doc = input_body(req, resp, ctx, api_application_fields, INPUT_CREATE, 0, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct create_args a = {.doc = doc};
    json_t *errors = json_array();
    int rc;
    if (!document_valid(doc, ctx->lang_pt, errors)) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:o}", "errors", errors));
        errors = NULL;
        goto out;
    }
    normalise(doc);
    a.tax_id = application_tax_id(doc);
    a.email = admin_email(doc);
    rc = public_limit(resp, ctx, "email", a.email) ? create_validated(resp, ctx, &a)
                                                   : U_CALLBACK_COMPLETE;
out:
    json_decref(errors);
    application_row_cleanup(&a.row);
    free(a.tax_id);
    free(a.email);
    json_decref(doc);
    return rc;
}

/* The path's application when the caller may see it (staff, or the applicant
 * whose token names it); 404 otherwise, so existence does not leak. */
static const char *visible_id(struct _u_response *resp, struct req_ctx *ctx)
{
    const char *id = api_param(ctx, "id");
    bool mine = ctx->who.role == ROLE_APPLICANT && id && strcmp(ctx->who.application_id, id) == 0;
    if (!util_is_uuid(id) || !(principal_is_staff(&ctx->who) || mine)) {
        problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
        return NULL;
    }
    return id;
}

struct get_args {
    const char *id;
    struct application_row row;
};

static enum status get_tx(PGconn *conn, void *arg)
{
    struct get_args *a = arg;
    return store_application_get(conn, a->id, false, &a->row);
}

int api_applications_get(const struct _u_request *req, struct _u_response *resp,
                         struct req_ctx *ctx)
{
    (void)req;
    struct get_args a = {.id = visible_id(resp, ctx)};
    if (a.id == NULL)
        return U_CALLBACK_COMPLETE;
    enum status st = db_with_conn(ctx->app->pool, get_tx, &a);
    int rc = st == ST_OK ? send_application(resp, ctx, 200, &a.row, NULL)
                         : problem_send_status(resp, ctx, st);
    application_row_cleanup(&a.row);
    return rc;
}

int api_applications_history(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    struct get_args a = {.id = visible_id(resp, ctx)};
    (void)req;
    if (a.id == NULL)
        return U_CALLBACK_COMPLETE;
    enum status st = db_with_conn(ctx->app->pool, get_tx, &a);
    application_row_cleanup(&a.row);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    return resource_history(resp, ctx, "accreditation_application", a.id);
}

static bool valid_status(const char *s)
{
    enum application_status st;
    return application_status_parse(s, &st);
}

struct list_args {
    struct application_filter f;
    struct page_req page;
    struct application_row *rows;
    int count;
    char *next;
    long long total;
};

static enum status list_tx(PGconn *conn, void *arg)
{
    struct list_args *a = arg;
    return store_application_list(conn, &a->f, &a->page, &a->rows, &a->count, &a->next, &a->total);
}

static bool read_filter(struct _u_response *resp, struct req_ctx *ctx, struct application_filter *f,
                        json_t **statuses)
{
    const char *names[] = {"submitted_from", "submitted_to"};
    const char **slots[] = {&f->submitted_from, &f->submitted_to};
    for (size_t i = 0; i < 2; i++) {
        *slots[i] = api_query(ctx, names[i]);
        if (*slots[i] != NULL && !input_is_timestamp(*slots[i]))
            return input_reject_parameter(resp, ctx, names[i], "format"), false;
    }
    const char *q = api_query(ctx, "q");
    if (q != NULL && (*q == '\0' || util_utf8_length(q) > 100))
        return input_reject_parameter(resp, ctx, "q", "format"), false;
    f->q = util_like_escape(q); /* the store matches it with ILIKE: "%" is a character */
    if (!input_filter_list(resp, ctx, "status", valid_status, statuses))
        return false;
    f->statuses = *statuses;
    return true;
}

int api_applications_list(const struct _u_request *req, struct _u_response *resp,
                          struct req_ctx *ctx)
{
    (void)req;
    struct list_args a = {0};
    json_t *statuses = NULL;
    int rc = U_CALLBACK_COMPLETE;
    if (!input_page(resp, ctx, application_sorts, 2, &a.page))
        return rc;
    if (!read_filter(resp, ctx, &a.f, &statuses))
        goto out;
    enum status st = db_with_conn(ctx->app->pool, list_tx, &a);
    if (st != ST_OK) {
        rc = st == ST_INVALID ? input_reject_parameter(resp, ctx, "cursor", "format")
                              : problem_send_status(resp, ctx, st);
        goto out;
    }
    json_t *items = json_array();
    for (int i = 0; i < a.count; i++)
        json_array_append_new(items, application_json(&a.rows[i], ctx));
    rc = api_send_page(resp, ctx, items, a.next, a.page.include_total, a.total);
out:
    application_rows_free(a.rows, a.count);
    free(a.next);
    free((char *)a.f.q);
    json_decref(statuses);
    input_page_cleanup(&a.page);
    return rc;
}

/* One transaction for PATCH and for actions: lock, ask the domain, change. */
struct change_args {
    const char *id;
    int if_match;        /* PATCH only: the version the client saw */
    const json_t *patch; /* PATCH only */
    enum application_action action;
    const char *reason;
    const struct req_ctx *ctx;
    struct audit_actor actor;
    struct application_row row;
    enum duplicate_kind dup;
    json_t *errors;   /* validation errors of the merged document */
    char current[24]; /* the status when the action was refused */
};

static enum status allowed(struct change_args *a, enum application_status *to)
{
    enum application_status from;
    if (!application_status_parse(a->row.status, &from))
        return ST_INVALID_STATE;
    enum status st =
        application_transition(from, a->action, a->ctx->who.role, a->row.credentials_collected, to);
    if (st == ST_INVALID_STATE)
        snprintf(a->current, sizeof a->current, "%s", a->row.status);
    return st;
}

static enum status patch_tx(PGconn *conn, void *arg)
{
    struct change_args *a = arg;
    enum application_status to;
    enum status st = store_application_get(conn, a->id, true, &a->row);
    if (st != ST_OK)
        return st;
    if (a->if_match != -1 && a->if_match != a->row.version)
        return ST_STALE;
    if ((st = allowed(a, &to)) != ST_OK)
        return st;
    json_t *doc = json_deep_copy(a->row.document);
    input_merge_patch(doc, a->patch);
    normalise(doc);
    if (!document_valid(doc, a->ctx->lang_pt, a->errors)) {
        json_decref(doc);
        return ST_INVALID;
    }
    char *tax_id = application_tax_id(doc), *email = admin_email(doc);
    st = store_application_update(conn, &a->row, doc, tax_id, email, a->patch, &a->actor, &a->dup);
    free(tax_id);
    free(email);
    json_decref(doc);
    return st;
}

static enum status action_tx(PGconn *conn, void *arg)
{
    struct change_args *a = arg;
    enum application_status to;
    enum status st = store_application_get(conn, a->id, true, &a->row);
    if (st == ST_OK)
        st = allowed(a, &to);
    if (st != ST_OK)
        return st;
    if (a->action == APPLICATION_ACT_APPROVE)
        return store_application_approve(conn, &a->row, a->reason, &a->actor, &a->dup);
    return store_application_transition(conn, &a->row, application_action_name(a->action),
                                        application_status_name(to), a->reason, &a->actor);
}

static int finish_change(struct _u_response *resp, struct req_ctx *ctx, struct change_args *a,
                         enum status st)
{
    if (st == ST_OK)
        return send_application(resp, ctx, 200, &a->row, NULL);
    if (st == ST_CONFLICT)
        return send_duplicate(resp, ctx, a->dup);
    return resource_refused(resp, ctx, st, a->current, &a->errors);
}

int api_applications_update(const struct _u_request *req, struct _u_response *resp,
                            struct req_ctx *ctx)
{
    struct change_args a = {
        .id = visible_id(resp, ctx), .action = APPLICATION_ACT_EDIT, .ctx = ctx};
    if (a.id == NULL || !resource_if_match(req, resp, ctx, &a.if_match))
        return U_CALLBACK_COMPLETE;
    json_t *patch =
        input_body(req, resp, ctx, api_application_fields, INPUT_PATCH, ctx->who.role, false);
    if (patch == NULL)
        return U_CALLBACK_COMPLETE;
    a.patch = patch;
    a.errors = json_array();
    auth_actor(ctx, &a.actor);
    enum status st = db_transaction(ctx->app->pool, patch_tx, &a);
    int rc = finish_change(resp, ctx, &a, st);
    json_decref(a.errors);
    json_decref(patch);
    application_row_cleanup(&a.row);
    return rc;
}

static int act(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
               enum application_action action)
{
    struct change_args a = {.id = visible_id(resp, ctx), .action = action, .ctx = ctx};
    char *reason = NULL;
    if (a.id == NULL ||
        !resource_reason(req, resp, ctx, application_action_needs_reason(action), &reason))
        return U_CALLBACK_COMPLETE;
    a.reason = reason;
    auth_actor(ctx, &a.actor);
    enum status st = db_transaction(ctx->app->pool, action_tx, &a);
    int rc = finish_change(resp, ctx, &a, st);
    application_row_cleanup(&a.row);
    free(reason);
    return rc;
}

#define ACTION_HANDLER(fn, action)                                                                 \
    int fn(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)            \
    {                                                                                              \
        return act(req, resp, ctx, action);                                                        \
    }

ACTION_HANDLER(api_applications_start_review, APPLICATION_ACT_START_REVIEW)
ACTION_HANDLER(api_applications_request_changes, APPLICATION_ACT_REQUEST_CHANGES)
ACTION_HANDLER(api_applications_resubmit, APPLICATION_ACT_RESUBMIT)
ACTION_HANDLER(api_applications_approve, APPLICATION_ACT_APPROVE)
ACTION_HANDLER(api_applications_reject, APPLICATION_ACT_REJECT)
ACTION_HANDLER(api_applications_withdraw, APPLICATION_ACT_WITHDRAW)

struct collect_args {
    struct change_args change;
    char secret_hash[65];
    struct client client;
};

static enum status collect_tx(PGconn *conn, void *arg)
{
    struct collect_args *c = arg;
    struct change_args *a = &c->change;
    enum application_status to;
    enum status st = store_application_get(conn, a->id, true, &a->row);
    if (st == ST_OK)
        st = allowed(a, &to);
    if (st == ST_OK)
        st = store_client_create(conn, "First API client", "registrar", a->row.registrar_id,
                                 c->secret_hash, &a->actor, &c->client);
    return st == ST_OK ? store_application_mark_collected(conn, &a->row, &a->actor) : st;
}

int api_applications_credentials(const struct _u_request *req, struct _u_response *resp,
                                 struct req_ctx *ctx)
{
    struct collect_args c = {.change = {.id = visible_id(resp, ctx),
                                        .action = APPLICATION_ACT_COLLECT_CREDENTIALS,
                                        .ctx = ctx}};
    char *unused = NULL;
    bool ok = c.change.id != NULL && resource_reason(req, resp, ctx, false, &unused);
    free(unused);
    if (!ok)
        return U_CALLBACK_COMPLETE;
    char secret[UTIL_SECRET_LEN + 1];
    util_secret(secret);
    util_sha256_hex(secret, strlen(secret), c.secret_hash);
    auth_actor(ctx, &c.change.actor);
    enum status st = db_transaction(ctx->app->pool, collect_tx, &c);
    int rc;
    if (st != ST_OK) {
        rc = finish_change(resp, ctx, &c.change, st);
    } else {
        json_t *body = api_client_json(&c.client);
        json_object_set_new(body, "client_secret", json_string(secret));
        rc = api_send_json(resp, ctx, 201, body);
    }
    sodium_memzero(secret, sizeof secret);
    application_row_cleanup(&c.change.row);
    return rc;
}
