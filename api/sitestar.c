/* The Sitestar.pt contest over HTTP: editions (addressed by year, each with
 * its contest program) and entries (a teacher's, submitted in public with
 * an access key shown once), jurors' scores and the selection. Reading,
 * edits, history and the entries' actions are the kit's (resource.h). */
#include "auth.h"
#include "body.h"
#include "guard.h"
#include "handlers.h"
#include "problem.h"
#include "pt_domain.h"
#include "resource.h"
#include "service_sitestar.h"
#include "store_sitestar.h"
#include "util.h"
#include "validate.h"
#include "voucher_code.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)

static json_t *bad(json_t *errors, const char *pointer, enum error_code code, bool pt)
{
    schema_error(errors, pointer, NULL, code, pt);
    return errors;
}

static int invalid(struct _u_response *resp, struct req_ctx *ctx, json_t *errors)
{
    return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                        json_pack("{s:O}", "errors", errors));
}

/* --- editions ------------------------------------------------------------ */

static json_t *render_edition(const void *row, const struct req_ctx *ctx)
{
    (void)ctx;
    const struct edition_row *e = row;
    return json_pack(
        "{s:i, s:s, s:s, s:s, s:i, s:i, s:s, s:o, s:s, s:s}", "year", atoi(e->year), "program",
        e->program, "submissions_open_at", e->opens_at, "submissions_close_at", e->closes_at,
        "approved_quota", e->approved_quota, "benefit_months", e->benefit_months, "phase",
        edition_phase_name(edition_phase(e)), "selected_at", api_json_text(e->selected_at),
        "created_at", e->created_at, "updated_at", e->updated_at);
}

static const struct field edition_patch[] = {
    {.name = "submissions_open_at", .type = FIELD_TIMESTAMP},
    {.name = "submissions_close_at", .type = FIELD_TIMESTAMP},
    {.name = "approved_quota", .type = FIELD_INTEGER, .min = 1, .max = 1000},
    {.name = "benefit_months", .type = FIELD_INTEGER, .min = 1, .max = 120},
    {0},
};

static const struct field edition_create[] = {
    {.name = "year", .type = FIELD_INTEGER, .flags = FIELD_REQUIRED, .min = 2000, .max = 2100},
    {.name = "submissions_open_at", .type = FIELD_TIMESTAMP, .flags = FIELD_REQUIRED},
    {.name = "submissions_close_at", .type = FIELD_TIMESTAMP, .flags = FIELD_REQUIRED},
    {.name = "approved_quota", .type = FIELD_INTEGER, .min = 1, .max = 1000},
    {.name = "benefit_months", .type = FIELD_INTEGER, .min = 1, .max = 120},
    {0},
};

/* The times, quota and months of doc over e (members absent keep e's). */
static void edition_from(const json_t *doc, struct edition_row *e)
{
    const char *t;
    if ((t = json_string_value(json_object_get(doc, "submissions_open_at"))) != NULL)
        snprintf(e->opens_at, sizeof e->opens_at, "%s", t);
    if ((t = json_string_value(json_object_get(doc, "submissions_close_at"))) != NULL)
        snprintf(e->closes_at, sizeof e->closes_at, "%s", t);
    if (json_is_integer(json_object_get(doc, "approved_quota")))
        e->approved_quota = (int)json_integer_value(json_object_get(doc, "approved_quota"));
    if (json_is_integer(json_object_get(doc, "benefit_months")))
        e->benefit_months = (int)json_integer_value(json_object_get(doc, "benefit_months"));
}

static bool edition_whole(const struct edition_row *e, bool pt, json_t *errors)
{
    if (!program_time_before(e->opens_at, e->closes_at))
        bad(errors, "/submissions_close_at", ERR_BEFORE_OPENING, pt);
    return json_array_size(errors) == 0;
}

static enum status edition_merge(const void *current, const json_t *patch, bool pt, void *next,
                                 json_t *errors)
{
    struct edition_row *out = next;
    *out = *(const struct edition_row *)current;
    edition_from(patch, out);
    return edition_whole(out, pt, errors) ? ST_OK : ST_INVALID;
}

static const struct resource_list edition_list = {
    .sorts = store_edition_sorts,
    .nsorts = STORE_EDITION_SORTS,
    .kind = &service_edition_kind,
};

const struct resource api_editions = {
    .kind = &service_edition_kind,
    .path = "/v1/sitestar/editions",
    .key = "year",
    .key_valid = validate_year,
    .render = render_edition,
    .patch_fields = edition_patch,
    .merge = edition_merge,
    .list = &edition_list,
    .public_max_age = 60,
};

struct edition_created {
    struct edition_row in, row;
};

static enum status edition_create_fn(const struct service_call *call, void *arg,
                                     struct service_outcome *outcome)
{
    (void)outcome;
    struct edition_created *c = arg;
    return service_edition_create(call, &c->in, &c->row);
}

static void render_edition_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct edition_created *c = arg;
    resource_set_created(resp, ctx, &api_editions, &c->row, NULL);
}

int api_editions_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, edition_create, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct edition_created c = {.in = {.approved_quota = 100, .benefit_months = 12}};
    int year = (int)json_integer_value(json_object_get(doc, "year"));
    snprintf(c.in.year, sizeof c.in.year, "%d", year);
    snprintf(c.in.program, sizeof c.in.program, "sitestar-%d", year);
    edition_from(doc, &c.in);
    json_t *errors = json_array();
    int rc;
    if (!edition_whole(&c.in, ctx->lang_pt, errors)) {
        rc = invalid(resp, ctx, errors);
    } else {
        struct resource_change change = {
            edition_create_fn, &c, render_edition_created, &c, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_editions, &change);
    }
    json_decref(errors);
    json_decref(doc);
    return rc;
}

/* --- the selection ------------------------------------------------------- */

struct selected {
    const char *year;
    struct edition_row row;
};

static enum status select_fn(const struct service_call *call, void *arg,
                             struct service_outcome *outcome)
{
    (void)outcome;
    struct selected *s = arg;
    return service_edition_select(call, s->year, &s->row);
}

static void render_selected(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct selected *s = arg;
    api_set_json(resp, 200,
                 json_pack("{s:i, s:s, s:i, s:i}", "year", atoi(s->row.year), "selected_at",
                           s->row.selected_at, "approved", s->row.approved_count, "not_selected",
                           s->row.not_selected_count));
}

static const struct field no_fields[] = {{0}};

int api_editions_select(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    char key[RESOURCE_KEY_MAX];
    struct selected s = {.year = resource_visible_id(resp, ctx, &api_editions, key)};
    if (s.year == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *body = body_read(req, resp, ctx, no_fields, SCHEMA_CREATE, ctx->who.role, true);
    if (body == NULL)
        return U_CALLBACK_COMPLETE;
    json_decref(body);
    struct resource_change change = {select_fn, &s, render_selected, &s, NULL, NULL, NULL};
    return resource_change(resp, ctx, &api_editions, &change);
}

/* --- entries ------------------------------------------------------------- */

static json_t *render_entry(const void *row, const struct req_ctx *ctx)
{
    const struct entry_row *e = row;
    char code[VOUCHER_CODE_TEXT_LEN + 1] = "";
    if (e->voucher_code[0])
        voucher_code_format(e->voucher_code, code);
    json_t *o = json_pack("{s:s, s:i, s:s, s:O, s:O, s:i, s:s, s:s, s:s}", "id", e->id, "year",
                          e->year, "status", entry_status_name(e->status), "school", e->school,
                          "teacher", e->teacher, "team_size", e->team_size, "title", e->title,
                          "description", e->description, "proposed_domain", e->proposed_domain);
    json_t *more = json_pack(
        "{s:o, s:i, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:o}", "score",
        e->scored ? json_real(e->score) : json_null(), "scores_count", e->scores_count,
        "voucher_code", api_json_text(code), "voucher_status",
        e->voucher_code[0] ? json_string(voucher_status_name(e->voucher_status)) : json_null(),
        "site_url", api_json_text(e->site_url), "reason", api_json_text(e->reason), "submitted_at",
        e->submitted_at, "created_at", e->created_at, "updated_at", e->updated_at,
        "status_changed_at", e->status_changed_at, "allowed_actions",
        resource_actions(&api_entries, e, ctx));
    json_object_update(o, more);
    json_decref(more);
    return o;
}

/* Staff, or the teacher whose token names this entry. */
static bool entry_visible(const struct req_ctx *ctx, const char *id)
{
    return principal_is_staff(&ctx->who) ||
           (ctx->who.role == ROLE_TEACHER && strcmp(ctx->who.entry_id, id) == 0);
}

static const struct field entry_patch[] = {
    FIELD_RULE("site_url", FIELD_NULLABLE, 2048, validate_website, ERR_URL),
    {0},
};

static enum status entry_merge(const void *current, const json_t *patch, bool pt, void *next,
                               json_t *errors)
{
    (void)pt, (void)errors;
    const struct entry_row *cur = current;
    struct entry_row *out = next;
    json_t *v = json_object_get(patch, "site_url");
    const char *url = v == NULL ? cur->site_url : json_string_value(v);
    out->site_url = url ? xstrdup(url) : NULL;
    return ST_OK;
}

/* An edition's entries: the year is the path's. */
static bool entry_scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    const char *year = api_param(ctx, "year");
    if (!validate_year(year))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL), false;
    free(q->filters[STORE_ENTRY_YEAR]);
    q->filters[STORE_ENTRY_YEAR] = xstrdup(year);
    return true;
}

static const struct resource_filter entry_filters[] = {
    [STORE_ENTRY_YEAR] = {"year", RESOURCE_FILTER_LIST,
                          validate_year}, /* never a query parameter */
    [STORE_ENTRY_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    {0},
};

static const struct resource_list entry_list = {
    .sorts = store_entry_sorts,
    .nsorts = STORE_ENTRY_SORTS,
    .filters = entry_filters,
    .scope = entry_scope,
    .kind = &service_entry_kind,
};

const struct resource api_entries = {
    .kind = &service_entry_kind,
    .path = "/v1/sitestar/entries",
    .visible = entry_visible,
    .render = render_entry,
    .patch_fields = entry_patch,
    .merge = entry_merge,
    .list = &entry_list,
};

/* --- submission ---------------------------------------------------------- */

static const struct field school_fields[] = {
    FIELD_TEXT("name", FIELD_REQUIRED, 1, 200),
    FIELD_TEXT("municipality", FIELD_REQUIRED, 1, 100),
    {0},
};
static const struct field teacher_fields[] = {
    FIELD_TEXT("name", FIELD_REQUIRED, 1, 200),
    FIELD_RULE("email", FIELD_REQUIRED, 254, validate_email, ERR_EMAIL),
    {0},
};
static const struct field entry_create[] = {
    FIELD_OBJ("school", FIELD_REQUIRED, school_fields),
    FIELD_OBJ("teacher", FIELD_REQUIRED, teacher_fields),
    {.name = "team_size", .type = FIELD_INTEGER, .flags = FIELD_REQUIRED, .min = 1, .max = 30},
    FIELD_TEXT("title", FIELD_REQUIRED, 1, 200),
    FIELD_TEXT("description", FIELD_REQUIRED | FIELD_LINES, 1, 5000),
    {.name = "proposed_domain", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .max = 253 * 4},
    {0},
};

struct entry_created {
    struct entry_new in;
    char key[UTIL_SECRET_LEN + 1], key_hash[65];
    struct entry_row row;
    struct _u_response *resp;
    struct req_ctx *ctx;
    const char *email;
};

/* The submission's limits per address and per teacher email: looked at
 * first in its transaction, counted last (guard_public_limits). */
static enum status limits(PGconn *conn, struct entry_created *c, bool hit)
{
    const char *kinds[] = {"ip", "email"}, *values[] = {c->ctx->client_ip, c->email};
    return guard_public_limits(conn, hit, c->resp, c->ctx, "sitestar_entry", kinds, values, 2);
}

static enum status look_at_limits(PGconn *conn, void *arg)
{
    return limits(conn, arg, false);
}

static enum status count_submission(PGconn *conn, void *arg)
{
    return limits(conn, arg, true);
}

static enum status submit_fn(const struct service_call *call, void *arg,
                             struct service_outcome *outcome)
{
    (void)outcome;
    struct entry_created *c = arg;
    return service_entry_submit(call, &c->in, c->key_hash, &c->row);
}

static void render_entry_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct entry_created *c = arg;
    resource_set_created(resp, ctx, &api_entries, &c->row,
                         json_pack("{s:s}", "access_key", c->key));
}

int api_entries_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    const char *year = api_param(ctx, "year");
    if (!validate_year(year))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    json_t *doc = body_read(req, resp, ctx, entry_create, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct pt_domain domain;
    enum error_code why = ERR_NONE;
    int rc;
    if (!pt_domain_parse(json_string_value(json_object_get(doc, "proposed_domain")), &domain,
                         &why)) {
        json_t *errors = bad(json_array(), "/proposed_domain", why, ctx->lang_pt);
        rc = invalid(resp, ctx, errors);
        json_decref(errors);
        json_decref(doc);
        return rc;
    }
    json_t *teacher = json_object_get(doc, "teacher");
    struct entry_created c = {.in = {year, json_object_get(doc, "school"), teacher,
                                     (int)json_integer_value(json_object_get(doc, "team_size")),
                                     json_string_value(json_object_get(doc, "title")),
                                     json_string_value(json_object_get(doc, "description")),
                                     domain.ascii},
                              .resp = resp,
                              .ctx = ctx,
                              .email = json_string_value(json_object_get(teacher, "email"))};
    util_secret(c.key);
    util_sha256_hex(c.key, strlen(c.key), c.key_hash);
    struct resource_change change = {submit_fn,        &c, render_entry_created, &c, look_at_limits,
                                     count_submission, &c};
    rc = resource_change(resp, ctx, &api_entries, &change);
    sodium_memzero(c.key, sizeof c.key);
    entry_row_cleanup(&c.row);
    json_decref(doc);
    return rc;
}

/* --- scores -------------------------------------------------------------- */

static const struct field score_fields[] = {
    {.name = "score", .type = FIELD_INTEGER, .flags = FIELD_REQUIRED, .min = 0, .max = 100},
    {0},
};

struct scored {
    const char *id;
    int score;
    struct entry_row row;
};

static enum status score_fn(const struct service_call *call, void *arg,
                            struct service_outcome *outcome)
{
    struct scored *s = arg;
    return service_entry_score(call, s->id, s->score, &s->row, outcome);
}

static void render_scored(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct scored *s = arg;
    resource_etag(resp, s->row.version);
    api_set_json(resp, 200, render_entry(&s->row, ctx));
}

int api_entries_score(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    char key[RESOURCE_KEY_MAX];
    struct scored s = {.id = resource_visible_id(resp, ctx, &api_entries, key)};
    if (s.id == NULL)
        return U_CALLBACK_COMPLETE;
    json_t *body = body_read(req, resp, ctx, score_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (body == NULL)
        return U_CALLBACK_COMPLETE;
    s.score = (int)json_integer_value(json_object_get(body, "score"));
    json_decref(body);
    struct resource_change change = {score_fn, &s, render_scored, &s, NULL, NULL, NULL};
    int rc = resource_change(resp, ctx, &api_entries, &change);
    entry_row_cleanup(&s.row);
    return rc;
}

int api_entries_scores(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    char key[RESOURCE_KEY_MAX];
    const char *id = resource_visible_id(resp, ctx, &api_entries, key);
    struct service_call call;
    if (id == NULL || !resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    json_t *items = NULL;
    enum status st = service_entry_scores(&call, id, &items);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    return api_send_page(resp, ctx, items, NULL, false, 0);
}
