/* Enrollments over HTTP: how one renders, the list spec (a registrar sees
 * its own), enrolling (POST /v1/programs/{code}/enrollments), eligibility
 * and a program's summary. Reading, history and the actions are the kit's
 * (resource.h); another registrar's enrollment reads as absent (the kind's
 * owner, service.h). */
#include "auth.h"
#include "body.h"
#include "eligibility_answer.h"
#include "handlers.h"
#include "problem.h"
#include "query.h"
#include "resource.h"
#include "service_enrollment.h"
#include "service_program.h"
#include "store_enrollment.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct enrollment_row *r = row;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O?, s:s?, s:s, s:s, s:s, s:o}", "id", r->id,
                     "program", r->program, "registrar_id", r->registrar_id, "status",
                     enrollment_status_name(r->status), "accepted_terms_version",
                     r->accepted_terms_version, "application", r->application, "reason", r->reason,
                     "created_at", r->created_at, "updated_at", r->updated_at, "status_changed_at",
                     r->status_changed_at, "allowed_actions",
                     resource_actions(&api_enrollments, r, ctx));
}

/* A terms version that is not the program's: 422; a failed check: its
 * own problem (not-eligible is 409 here: a prerequisite may change). */
static int refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome)
{
    if (outcome->conflict == SERVICE_ENROLLMENT_TERMS) {
        json_t *errors = json_array();
        schema_error(errors, outcome->subject, NULL, ERR_TERMS_VERSION, ctx->lang_pt);
        return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                            json_pack("{s:o}", "errors", errors));
    }
    return eligibility_refused(resp, ctx, st, outcome, ELIGIBILITY_FOR_PROGRAM, 409);
}

/* Staff see every enrollment; a registrar its own. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    return resource_scope_own(resp, ctx, q, STORE_ENROLLMENT_REGISTRAR);
}

static const struct resource_filter filters[] = {
    [STORE_ENROLLMENT_PROGRAM] = {"program", RESOURCE_FILTER_LIST, validate_program_code},
    [STORE_ENROLLMENT_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    [STORE_ENROLLMENT_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_enrollment_sorts,
    .nsorts = STORE_ENROLLMENT_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_enrollment_kind,
};

const struct resource api_enrollments = {
    .kind = &service_enrollment_kind,
    .path = "/v1/enrollments",
    .render = render,
    .refused = refused,
    .list = &list,
};

/* --- the program, for the caller ---------------------------------------- */

/* The program of the path as the caller may see it (staff: drafts too), or
 * answers 404 (or 503) and returns false. */
static bool program_of(struct _u_response *resp, struct req_ctx *ctx,
                       const struct service_call *call, struct program_row *out)
{
    const char *code = api_param(ctx, "code");
    enum status st = validate_program_code(code)
                         ? service_get(call, &service_program_kind, code, out)
                         : ST_NOT_FOUND;
    if (st == ST_OK && out->status == PROGRAM_DRAFT && !principal_is_staff(&ctx->who))
        st = ST_NOT_FOUND;
    if (st != ST_OK)
        problem_send_status(resp, ctx, st);
    return st == ST_OK;
}

/* --- eligibility --------------------------------------------------------- */

int api_programs_eligibility(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    (void)req;
    const char *registrar_id = eligibility_subject(resp, ctx);
    struct service_call call;
    if (registrar_id == NULL || !resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    struct program_row program = {0};
    struct eligibility e;
    int rc = U_CALLBACK_COMPLETE;
    if (program_of(resp, ctx, &call, &program)) {
        enum status st = service_enrollment_eligibility(&call, program.code, registrar_id, &e);
        rc = st == ST_OK ? api_send_json(resp, ctx, 200,
                                         eligibility_json(&e, ELIGIBILITY_FOR_PROGRAM, "program",
                                                          program.code, registrar_id, ctx->lang_pt))
                         : problem_send_status(resp, ctx, st);
    }
    program_row_cleanup(&program);
    return rc;
}

/* --- enrolling ----------------------------------------------------------- */

/* A channel of a co-branding proposal ("rádio", "redes sociais") is text of
 * 1 to 100 characters, with the hygiene of every text field (and stored as
 * it normalizes). */
static const struct field co_branding[] = {
    FIELD_TEXT("proposal", FIELD_REQUIRED | FIELD_LINES, 1, 5000),
    {.name = "channels",
     .type = FIELD_ARRAY,
     .flags = FIELD_REQUIRED,
     .item_type = FIELD_STRING,
     .min = 1,
     .max = 10,
     .item_min = 1,
     .item_max = 100},
    {.name = "planned_budget_eur",
     .type = FIELD_INTEGER,
     .flags = FIELD_REQUIRED,
     .min = 0,
     .max = 10000000},
    {0},
};

#define ENROLLMENT_FIELDS                                                                          \
    FIELD_TEXT("accepted_terms_version", FIELD_REQUIRED, 1, 20),                                   \
    {                                                                                              \
        .name = "registrar_id", .type = FIELD_UUID, .writers = STAFF_ONLY                          \
    }

/* The body of an enrollment, by the program's application form. */
static const struct field plain_fields[] = {ENROLLMENT_FIELDS, {0}};
static const struct field co_branding_fields[] = {
    ENROLLMENT_FIELDS,
    FIELD_OBJ("application", FIELD_REQUIRED, co_branding),
    {0},
};

static const struct field *const form_fields[] = {
    [PROGRAM_FORM_NONE] = plain_fields,
    [PROGRAM_FORM_CO_BRANDING] = co_branding_fields,
};

struct enrolled {
    struct enrollment_new in;
    struct enrollment_row row;
};

static enum status enroll(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct enrolled *e = arg;
    return service_enrollment_create(call, &e->in, &e->row, outcome);
}

static void render_enrolled(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct enrolled *e = arg;
    resource_set_created(resp, ctx, &api_enrollments, &e->row, NULL);
}

int api_enrollments_create(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx)
{
    struct service_call call;
    struct program_row program = {0};
    if (!resource_call(resp, ctx, &call, NULL, NULL) || !program_of(resp, ctx, &call, &program)) {
        program_row_cleanup(&program);
        return U_CALLBACK_COMPLETE;
    }
    json_t *doc = body_read(req, resp, ctx, form_fields[program_form(&program)], SCHEMA_CREATE,
                            ctx->who.role, false);
    const char *registrar_id = ctx->who.role == ROLE_REGISTRAR
                                   ? ctx->who.registrar_id
                                   : json_string_value(json_object_get(doc, "registrar_id"));
    int rc = U_CALLBACK_COMPLETE;
    if (doc != NULL && registrar_id == NULL) {
        json_t *errors = json_array();
        schema_error(errors, "/registrar_id", NULL, ERR_REQUIRED, ctx->lang_pt);
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:o}", "errors", errors));
    } else if (doc != NULL) {
        struct enrolled e = {
            .in = {program.code, registrar_id,
                   json_string_value(json_object_get(doc, "accepted_terms_version")),
                   json_object_get(doc, "application")}};
        struct resource_change change = {enroll, &e, render_enrolled, &e, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_enrollments, &change);
        enrollment_row_cleanup(&e.row);
    }
    json_decref(doc);
    program_row_cleanup(&program);
    return rc;
}

/* --- a program's summary ------------------------------------------------- */

int api_programs_enrollment_summary(const struct _u_request *req, struct _u_response *resp,
                                    struct req_ctx *ctx)
{
    (void)req;
    struct service_call call;
    const char *code = api_param(ctx, "code");
    if (!validate_program_code(code))
        return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL);
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    long long counts[ENROLLMENT_STATUS_COUNT], total = 0;
    enum status st = service_enrollment_counts(&call, code, counts);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    json_t *by_status = json_object();
    for (int s = 0; s < ENROLLMENT_STATUS_COUNT; s++) {
        json_object_set_new(by_status, enrollment_status_name(s), json_integer(counts[s]));
        total += counts[s];
    }
    return api_send_json(resp, ctx, 200,
                         json_pack("{s:s, s:I, s:o}", "program", code, "total", (json_int_t)total,
                                   "counts", by_status));
}
