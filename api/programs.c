/* Programs over HTTP: the field tables of a creation and an edit, how one
 * renders, the catalogue's list spec, and the creation. Reading, editing,
 * history and open/close/archive are the kit's (resource.h); eligibility
 * and enrolling are api/enrollments.c's. */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_program.h"
#include "store_program.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)

static const struct field names[] = {
    FIELD_TEXT("pt", FIELD_REQUIRED, 1, 200),
    FIELD_TEXT("en", FIELD_REQUIRED, 1, 200),
    {0},
};
static const struct field descriptions[] = {
    FIELD_TEXT("pt", FIELD_REQUIRED | FIELD_LINES, 1, 5000),
    FIELD_TEXT("en", FIELD_REQUIRED | FIELD_LINES, 1, 5000),
    {0},
};

/* The members a creation and an edit share; an edit may remove the
 * nullable ones. */
#define EDITABLE_FIELDS(req)                                                                       \
    FIELD_OBJ("name", (req), names), FIELD_OBJ("description", FIELD_NULLABLE, descriptions),       \
        {.name = "enrollment_opens_at", .type = FIELD_TIMESTAMP, .flags = FIELD_NULLABLE},         \
        {.name = "enrollment_closes_at", .type = FIELD_TIMESTAMP, .flags = FIELD_NULLABLE},        \
        FIELD_STRS("requires", 0, PROGRAM_MAX_REQUIRES, validate_program_code, ERR_PROGRAM_CODE),  \
        {.name = "capacity",                                                                       \
         .type = FIELD_INTEGER,                                                                    \
         .flags = FIELD_NULLABLE,                                                                  \
         .min = 1,                                                                                 \
         .max = 1000000},                                                                          \
        {.name = "benefit_months",                                                                 \
         .type = FIELD_INTEGER,                                                                    \
         .flags = FIELD_NULLABLE,                                                                  \
         .min = 1,                                                                                 \
         .max = 120},                                                                              \
        FIELD_TEXT("terms_version", (req), 1, 20),                                                 \
    {                                                                                              \
        .name = "voucher_validity_days", .type = FIELD_INTEGER, .flags = FIELD_NULLABLE, .min = 1, \
        .max = 3660                                                                                \
    }

static const struct field create_fields[] = {
    FIELD_RULE("code", FIELD_REQUIRED, PROGRAM_CODE_MAX, validate_program_code, ERR_PROGRAM_CODE),
    {.name = "kind", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = program_kind_names},
    {.name = "year", .type = FIELD_INTEGER, .min = 2000, .max = 2100},
    EDITABLE_FIELDS(FIELD_REQUIRED),
    {0},
};

static const struct field patch_fields[] = {
    EDITABLE_FIELDS(0),
    {0},
};

static json_t *i18n_or_null(const json_t *o)
{
    return o ? json_deep_copy(o) : json_null();
}

static json_t *int_or_null(int v)
{
    return v > 0 ? json_integer(v) : json_null();
}

static json_t *requires_json(const struct program_row *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->nrequires; i++)
        json_array_append_new(a, json_string(p->requires[i]));
    return a;
}

/* The editable members, as a merge patch applies to them. */
static json_t *editable_json(const void *row)
{
    const struct program_row *p = row;
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "name", i18n_or_null(p->name),
                     "description", i18n_or_null(p->description), "enrollment_opens_at",
                     api_json_text(p->opens_at), "enrollment_closes_at",
                     api_json_text(p->closes_at), "requires", requires_json(p), "capacity",
                     int_or_null(p->capacity), "benefit_months", int_or_null(p->benefit_months),
                     "terms_version", p->terms_version, "voucher_validity_days",
                     int_or_null(p->voucher_validity_days));
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct program_row *p = row;
    json_t *o = json_pack("{s:s, s:s, s:o}", "code", p->code, "kind", program_kind_name(p->kind),
                          "year", p->year ? json_integer(p->year) : json_null());
    json_t *editable = editable_json(p);
    json_object_update(o, editable);
    json_decref(editable);
    const char *form = program_form_name(program_form(p));
    json_t *meta =
        json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}", "status", program_status_name(p->status),
                  "application_form", form ? json_string(form) : json_null(), "created_at",
                  p->created_at, "updated_at", p->updated_at, "status_changed_at",
                  p->status_changed_at, "allowed_actions", resource_actions(&api_programs, p, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Only staff see a draft. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    return principal_is_staff(&ctx->who) ||
           ((const struct program_row *)row)->status != PROGRAM_DRAFT;
}

/* A validated document's editable members into p (which owns what it gets),
 * then the rules across fields. */
static bool editable_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct program_row *p = row;
    json_t *v;
    p->name = json_deep_copy(json_object_get(doc, "name"));
    v = json_object_get(doc, "description");
    p->description = json_is_object(v) ? json_deep_copy(v) : NULL;
    snprintf(p->opens_at, sizeof p->opens_at, "%s",
             json_string_value(json_object_get(doc, "enrollment_opens_at")) ?: "");
    snprintf(p->closes_at, sizeof p->closes_at, "%s",
             json_string_value(json_object_get(doc, "enrollment_closes_at")) ?: "");
    p->nrequires = 0;
    size_t i;
    json_array_foreach(json_object_get(doc, "requires"), i, v) if (i < PROGRAM_MAX_REQUIRES)
        snprintf(p->requires[p->nrequires++], sizeof p->requires[0], "%s", json_string_value(v));
    p->capacity = (int)json_integer_value(json_object_get(doc, "capacity"));
    p->benefit_months = (int)json_integer_value(json_object_get(doc, "benefit_months"));
    snprintf(p->terms_version, sizeof p->terms_version, "%s",
             json_string_value(json_object_get(doc, "terms_version")) ?: "");
    p->voucher_validity_days =
        (int)json_integer_value(json_object_get(doc, "voucher_validity_days"));
    struct field_issue issues[PROGRAM_MAX_ISSUES];
    return schema_issues(errors, issues, program_check(p, issues, PROGRAM_MAX_ISSUES), pt);
}

static void keep(const void *current, void *next)
{
    const struct program_row *cur = current;
    struct program_row *out = next;
    snprintf(out->code, sizeof out->code, "%s", cur->code);
    out->kind = cur->kind;
    out->year = cur->year;
}

static const struct resource_editable editable = {editable_json, keep, editable_from};

/* A program required that does not exist: 422 at its pointer. */
static int refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome)
{
    (void)st;
    if (outcome->conflict != SERVICE_PROGRAM_UNKNOWN_REQUIRED)
        return RESOURCE_DEFAULT;
    json_t *errors = json_array();
    schema_error(errors, outcome->subject, NULL, ERR_UNKNOWN_PROGRAM, ctx->lang_pt);
    return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                        json_pack("{s:o}", "errors", errors));
}

static bool valid_kind(const char *s)
{
    enum program_kind k;
    return program_kind_parse(s, &k);
}

static const struct resource_filter filters[] = {
    [STORE_PROGRAM_KIND] = {"kind", RESOURCE_FILTER_LIST, valid_kind},
    [STORE_PROGRAM_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_PROGRAM_YEAR] = {"year", RESOURCE_FILTER_LIST, validate_year},
    {0},
};

static const struct resource_list list = {
    .sorts = store_program_sorts,
    .nsorts = STORE_PROGRAM_SORTS,
    .filters = filters,
    .scope = resource_scope_public, /* no drafts but for staff */
    .kind = &service_program_kind,
};

const struct resource api_programs = {
    .kind = &service_program_kind,
    .path = "/v1/programs",
    .key = "code",
    .key_valid = validate_program_code,
    .readable = readable,
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .refused = refused,
    .list = &list,
    .public_max_age = 60, /* the public catalogue */
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct program_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_program_create(call, &c->in, &c->row, outcome);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_programs, &c->row, NULL);
}

/* The code, kind and year, which no edit changes, then the editable members. */
static bool build(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct program_row *p = row;
    snprintf(p->code, sizeof p->code, "%s", json_string_value(json_object_get(doc, "code")));
    if (!program_kind_parse(json_string_value(json_object_get(doc, "kind")), &p->kind))
        p->kind = PROGRAM_STANDING; /* the field table checked it */
    p->year = (int)json_integer_value(json_object_get(doc, "year"));
    return editable_from(doc, p, pt, errors);
}

int api_programs_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct created c = {0};
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    int rc = resource_create(req, resp, ctx, &api_programs, create_fields, build, &c.in, &change);
    program_row_cleanup(&c.in);
    program_row_cleanup(&c.row);
    return rc;
}
