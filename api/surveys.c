/* Surveys over HTTP: the field tables of a creation and an edit (the
 * questions' shape; their rules are the domain's), how one renders, who
 * sees which, the creation, a registrar's response, the results and the two
 * CSVs for Marktest. Reading, editing, history and open/close/publish are
 * the kit's (resource.h). */
#include "auth.h"
#include "body.h"
#include "csv.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_survey.h"
#include "store_survey.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct field i18n_fields[] = {
    FIELD_TEXT("pt", FIELD_REQUIRED, 1, 500),
    FIELD_TEXT("en", FIELD_REQUIRED, 1, 500),
    {0},
};

static const struct field option_fields[] = {
    FIELD_RULE("id", FIELD_REQUIRED, 40, survey_id_valid, ERR_FORMAT),
    FIELD_OBJ("text", FIELD_REQUIRED, i18n_fields),
    {0},
};

static const struct field question_fields[] = {
    FIELD_RULE("id", FIELD_REQUIRED, 40, survey_id_valid, ERR_FORMAT),
    FIELD_OBJ("text", FIELD_REQUIRED, i18n_fields),
    {.name = "kind", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = survey_kind_names},
    {.name = "required", .type = FIELD_BOOLEAN},
    {.name = "min", .type = FIELD_INTEGER, .min = 0, .max = 10},
    {.name = "max", .type = FIELD_INTEGER, .min = 0, .max = 10},
    FIELD_OBJS("options", 0, option_fields, SURVEY_OPTIONS_MIN, SURVEY_OPTIONS_MAX),
    {.name = "multiple", .type = FIELD_BOOLEAN},
    {.name = "max_length", .type = FIELD_INTEGER, .min = 1, .max = SURVEY_TEXT_MAX},
    {0},
};

#define SURVEY_FIELDS(req)                                                                         \
    {.name = "year", .type = FIELD_INTEGER, .flags = (req), .min = 2000, .max = 2100},             \
        FIELD_TEXT("title", (req), 1, 200),                                                        \
        {.name = "opens_at", .type = FIELD_TIMESTAMP, .flags = (req)},                             \
        {.name = "closes_at", .type = FIELD_TIMESTAMP, .flags = (req)},                            \
        FIELD_OBJS("questions", 0, question_fields, 0, SURVEY_QUESTIONS_MAX)

static const struct field create_fields[] = {
    SURVEY_FIELDS(FIELD_REQUIRED),
    {0},
};

static const struct field patch_fields[] = {
    SURVEY_FIELDS(0),
    {0},
};

static const struct field answer_fields[] = {
    {.name = "answers", .type = FIELD_OBJECT, .flags = FIELD_REQUIRED | FIELD_OPEN},
    {0},
};

/* The editable members, as a merge patch applies to them. */
static json_t *editable_json(const void *row)
{
    const struct survey_row *s = row;
    return json_pack("{s:i, s:s, s:s, s:s, s:O}", "year", s->year, "title", s->title, "opens_at",
                     s->opens_at, "closes_at", s->closes_at, "questions", s->questions);
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct survey_row *s = row;
    json_t *o = json_pack("{s:s}", "id", s->id);
    json_t *editable = editable_json(s);
    json_object_update(o, editable);
    json_decref(editable);
    json_t *meta =
        json_pack("{s:s, s:i, s:s, s:s, s:s, s:o}", "status", survey_status_name(s->status),
                  "response_count", s->response_count, "created_at", s->created_at, "updated_at",
                  s->updated_at, "status_changed_at", s->status_changed_at, "allowed_actions",
                  resource_actions(&api_surveys, s, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Staff see every survey; a registrar every one but drafts (it answers the
 * open one); the public the published ones. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    enum survey_status status = ((const struct survey_row *)row)->status;
    if (principal_is_staff(&ctx->who))
        return true;
    return ctx->who.role == ROLE_REGISTRAR ? status != SURVEY_DRAFT : status == SURVEY_PUBLISHED;
}

/* A validated document into s (which owns what it gets). */
static void read_doc(const json_t *doc, struct survey_row *s)
{
    s->year = (int)json_integer_value(json_object_get(doc, "year"));
    snprintf(s->title, sizeof s->title, "%s",
             json_string_value(json_object_get(doc, "title")) ?: "");
    snprintf(s->opens_at, sizeof s->opens_at, "%s",
             json_string_value(json_object_get(doc, "opens_at")) ?: "");
    snprintf(s->closes_at, sizeof s->closes_at, "%s",
             json_string_value(json_object_get(doc, "closes_at")) ?: "");
    const json_t *questions = json_object_get(doc, "questions");
    s->questions = questions ? json_deep_copy(questions) : json_array();
    survey_questions_normalize(s->questions);
}

/* A creation's body into row, then the rules across fields. */
static bool build(const json_t *doc, void *row, bool pt, json_t *errors)
{
    read_doc(doc, row);
    struct field_issue issues[SURVEY_MAX_ISSUES];
    return schema_issues(errors, issues, survey_check(row, issues, SURVEY_MAX_ISSUES), pt);
}

/* The merged document is checked whole as a creation is: a patch's
 * questions replace the list, so each one must be complete. */
static bool merged_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    if (schema_validate(doc, create_fields, SCHEMA_CREATE, 0, pt, errors))
        return build(doc, row, pt, errors);
    read_doc(doc, row);
    return false;
}

static void keep(const void *current, void *next)
{
    const struct survey_row *cur = current;
    struct survey_row *out = next;
    snprintf(out->id, sizeof out->id, "%s", cur->id);
    out->status = cur->status;
}

static const struct resource_editable editable = {editable_json, keep, merged_from};

/* A rule that refused an action or an edit names itself: 409 invalid-state
 * with the rule. */
static int refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome)
{
    if (st != ST_INVALID_STATE || outcome->conflict == NULL)
        return RESOURCE_DEFAULT;
    bool none = outcome->conflict == SURVEY_RULE_NO_QUESTIONS;
    return problem_send(
        resp, ctx, PROBLEM_INVALID_STATE,
        none ? (struct problem_text){"A survey opens with at least one question.",
                                     "Um inquérito só abre com pelo menos uma pergunta."}
             : (struct problem_text){"Once open, a survey takes a new title and closes_at only.",
                                     "Depois de aberto, um inquérito só aceita novo title e "
                                     "closes_at."},
        json_pack("{s:s, s:s}", "current_status", outcome->current, "rule", outcome->conflict));
}

/* Staff see every survey; a registrar those not drafts; the public the
 * published ones. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    (void)resp;
    q->full = true;
    if (principal_is_staff(&ctx->who))
        return true;
    free(q->filters[STORE_SURVEY_SHOWN]);
    q->filters[STORE_SURVEY_SHOWN] =
        xstrdup(ctx->who.role == ROLE_REGISTRAR ? "[\"open\", \"closed\", \"published\"]"
                                                : "[\"published\"]");
    return true;
}

static const struct resource_filter filters[] = {
    [STORE_SURVEY_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_SURVEY_YEAR] = {"year", RESOURCE_FILTER_LIST, validate_year},
    [STORE_SURVEY_SHOWN] = {"shown", RESOURCE_FILTER_LIST, NULL}, /* never a query parameter */
    {0},
};

static const struct resource_list list = {
    .sorts = store_survey_sorts,
    .nsorts = STORE_SURVEY_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_survey_kind,
};

const struct resource api_surveys = {
    .kind = &service_survey_kind,
    .path = "/v1/surveys",
    .readable = readable,
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .refused = refused,
    .list = &list,
    .public_max_age = 60, /* published surveys */
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct survey_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    (void)outcome;
    struct created *c = arg;
    return service_survey_create(call, &c->in, &c->row);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_surveys, &c->row, NULL);
}

static int send_errors(struct _u_response *resp, struct req_ctx *ctx, json_t *errors)
{
    return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                        json_pack("{s:O}", "errors", errors));
}

int api_surveys_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct created c = {0};
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    int rc = resource_create(req, resp, ctx, &api_surveys, create_fields, build, &c.in, &change);
    survey_row_cleanup(&c.in);
    survey_row_cleanup(&c.row);
    return rc;
}

/* --- a registrar's response ---------------------------------------------- */

struct response {
    const char *survey_id;
    const char *registrar_id;
    json_t *answers;
    bool created;
    char updated_at[32];
};

static json_t *response_json(const struct response *r)
{
    return json_pack("{s:s, s:O, s:s}", "survey_id", r->survey_id, "answers", r->answers,
                     "updated_at", r->updated_at);
}

static enum status respond(const struct service_call *call, void *arg,
                           struct service_outcome *outcome)
{
    (void)outcome;
    struct response *r = arg;
    return service_survey_respond(call, r->survey_id, r->registrar_id, r->answers, &r->created,
                                  r->updated_at);
}

static void render_response(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct response *r = arg;
    api_set_json(resp, r->created ? 201 : 200, response_json(r));
}

/* The answers against the survey's questions: 422 with every violation. */
static bool answers_valid(struct _u_response *resp, struct req_ctx *ctx, const struct survey_row *s,
                          json_t *answers)
{
    struct field_issue issues[SURVEY_MAX_ISSUES];
    size_t n = survey_check_answers(s->questions, answers, issues, SURVEY_MAX_ISSUES);
    if (n == 0)
        return true;
    json_t *errors = json_array();
    schema_issues(errors, issues, n, ctx->lang_pt);
    send_errors(resp, ctx, errors);
    json_decref(errors);
    return false;
}

int api_surveys_respond(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, answer_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct service_call call;
    struct survey_row s = {0};
    int rc = U_CALLBACK_COMPLETE;
    struct response r = {.registrar_id = ctx->who.registrar_id,
                         .answers = json_object_get(doc, "answers")};
    if (resource_read(resp, ctx, &api_surveys, &call, &s) &&
        answers_valid(resp, ctx, &s, r.answers)) {
        r.survey_id = s.id;
        struct resource_change change = {respond, &r, render_response, &r, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_surveys, &change);
    }
    survey_row_cleanup(&s);
    json_decref(doc);
    return rc;
}

int api_surveys_response(const struct _u_request *req, struct _u_response *resp,
                         struct req_ctx *ctx)
{
    (void)req;
    struct service_call call;
    struct survey_row s = {0};
    int rc = U_CALLBACK_COMPLETE;
    if (resource_read(resp, ctx, &api_surveys, &call, &s)) {
        struct response r = {.survey_id = s.id, .registrar_id = ctx->who.registrar_id};
        enum status st =
            service_survey_response(&call, s.id, r.registrar_id, &r.answers, r.updated_at);
        rc = st == ST_OK ? api_send_json(resp, ctx, 200, response_json(&r))
                         : problem_send_status(resp, ctx, st);
        json_decref(r.answers);
    }
    survey_row_cleanup(&s);
    return rc;
}

/* --- results and exports ------------------------------------------------- */

/* Staff read results once the survey opened; anyone else once published
 * (before: 404, as if there were none). Anonymous answers are cacheable. */
int api_surveys_results(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct service_call call;
    struct survey_row s = {0};
    int rc = U_CALLBACK_COMPLETE;
    bool staff = principal_is_staff(&ctx->who);
    if (!resource_read(resp, ctx, &api_surveys, &call, &s))
        goto out;
    if (!staff && s.status != SURVEY_PUBLISHED) {
        rc = problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    } else if (s.status == SURVEY_DRAFT) {
        rc = problem_send(resp, ctx, PROBLEM_INVALID_STATE, PROBLEM_NO_DETAIL,
                          json_pack("{s:s}", "current_status", survey_status_name(s.status)));
    } else {
        json_t *body = NULL;
        enum status st = service_survey_results(&call, &s, !staff, &body);
        if (st != ST_OK) {
            rc = problem_send_status(resp, ctx, st);
            goto out;
        }
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        char etag[API_ETAG_MAX];
        api_body_etag(text, strlen(text), etag);
        if (resource_public_read(&api_surveys, ctx))
            api_cache_public(resp, api_surveys.public_max_age);
        rc = api_send_tagged(req, resp, ctx, text, strlen(text), etag);
        free(text);
    }
out:
    survey_row_cleanup(&s);
    return rc;
}

/* Answers rows (lent) as a CSV attachment named name, columns first. */
static int send_csv(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                    const json_t *columns, const json_t *rows)
{
    struct csv c;
    csv_init(&c);
    csv_columns(&c, columns);
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) csv_add(&c, row);
    char *disposition = xasprintf("attachment; filename=\"%s\"", name);
    u_map_put(resp->map_header, "Content-Disposition", disposition);
    free(disposition);
    int rc = api_send_text(resp, ctx, 200, CSV_CONTENT_TYPE, c.text, c.len);
    csv_cleanup(&c);
    return rc;
}

int api_surveys_export(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    struct service_call call;
    struct survey_row s = {0};
    int rc = U_CALLBACK_COMPLETE;
    if (resource_read(resp, ctx, &api_surveys, &call, &s)) {
        json_t *rows = NULL;
        enum status st = service_survey_export(&call, &s, &rows);
        if (st == ST_OK) {
            json_t *columns = survey_export_columns(s.questions);
            rc = send_csv(resp, ctx, "export.csv", columns, rows);
            json_decref(columns);
        } else {
            rc = problem_send_status(resp, ctx, st);
        }
        json_decref(rows);
    }
    survey_row_cleanup(&s);
    return rc;
}

int api_surveys_panel(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    (void)req;
    struct service_call call;
    struct survey_row s = {0};
    int rc = U_CALLBACK_COMPLETE;
    if (resource_read(resp, ctx, &api_surveys, &call, &s)) {
        json_t *rows = NULL;
        enum status st = service_survey_panel(&call, &rows);
        if (st == ST_OK) {
            json_t *columns = json_pack("[s, s, s, s]", "trade_name", "name", "email", "phone");
            rc = send_csv(resp, ctx, "panel.csv", columns, rows);
            json_decref(columns);
        } else {
            rc = problem_send_status(resp, ctx, st);
        }
        json_decref(rows);
    }
    survey_row_cleanup(&s);
    return rc;
}
