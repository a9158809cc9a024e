/* Eligibility over HTTP, shared by programs and events. */
#include "eligibility_answer.h"

#include "problem.h"
#include "query.h"
#include "resource.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

const char *eligibility_subject(struct _u_response *resp, struct req_ctx *ctx)
{
    const char *asked = api_query(ctx, "registrar_id");
    if (ctx->who.role == ROLE_REGISTRAR) {
        if (asked != NULL && strcmp(asked, ctx->who.registrar_id) != 0)
            return problem_send(resp, ctx, PROBLEM_NOT_FOUND, PROBLEM_NO_DETAIL, NULL), NULL;
        return ctx->who.registrar_id;
    }
    if (asked == NULL)
        return query_reject(resp, ctx, "registrar_id", ERR_REQUIRED), NULL;
    if (!util_is_uuid(asked))
        return query_reject(resp, ctx, "registrar_id", ERR_FORMAT), NULL;
    return asked;
}

json_t *eligibility_json(const struct eligibility *e, enum eligibility_target target,
                         const char *key_name, const char *key, const char *registrar_id, bool pt)
{
    json_t *checks = json_array();
    for (size_t i = 0; i < e->count; i++) {
        const struct eligibility_check *c = &e->checks[i];
        char code[80], message[200];
        eligibility_code_text(c, code, sizeof code);
        eligibility_message(c->code, target, c->subject, c->passed, pt, message, sizeof message);
        json_array_append_new(checks, json_pack("{s:s, s:b, s:s}", "code", code, "passed",
                                                c->passed, "message", message));
    }
    return json_pack("{s:s, s:s, s:b, s:o}", key_name, key, "registrar_id", registrar_id,
                     "eligible", e->eligible, "checks", checks);
}

int eligibility_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                        const struct service_outcome *outcome, enum eligibility_target target,
                        int not_eligible_status)
{
    enum eligibility_code code;
    if (!eligibility_code_parse(outcome->conflict, &code))
        return RESOURCE_DEFAULT;
    struct eligibility_check check = {.code = code};
    snprintf(check.subject, sizeof check.subject, "%.*s", PROGRAM_CODE_MAX, outcome->subject);
    char en[200], pt[200], text[80];
    eligibility_message(code, target, outcome->subject, false, false, en, sizeof en);
    eligibility_message(code, target, outcome->subject, false, true, pt, sizeof pt);
    eligibility_code_text(&check, text, sizeof text);
    json_t *extra = json_pack("{s:s}", "check", text);
    if (code == ELIGIBILITY_REQUIRES)
        json_object_set_new(extra, "missing_program", json_string(outcome->subject));
    struct problem_text detail = {en, pt};
    switch (st) {
    case ST_AGREEMENT_REQUIRED: /* trust: agreements: the version and its accept_by */
        json_object_set_new(extra, "version", json_string(outcome->subject));
        json_object_set_new(extra, "accept_by", json_string(outcome->due_at));
        return problem_send(resp, ctx, PROBLEM_AGREEMENT_REQUIRED, detail, extra);
    case ST_NOT_ELIGIBLE:
        return problem_send_as(resp, ctx, PROBLEM_NOT_ELIGIBLE, not_eligible_status, detail, extra);
    case ST_REGISTRAR_SUSPENDED:
        return problem_send(resp, ctx, PROBLEM_REGISTRAR_SUSPENDED, detail, extra);
    case ST_FORBIDDEN:
        return problem_send(resp, ctx, PROBLEM_FORBIDDEN, detail, extra);
    case ST_WINDOW_CLOSED:
        return problem_send(resp, ctx, PROBLEM_WINDOW_CLOSED, detail, extra);
    case ST_CAPACITY_FULL:
        return problem_send(resp, ctx, PROBLEM_CAPACITY_FULL, detail, extra);
    case ST_CONFLICT:
        return problem_send(resp, ctx, PROBLEM_DUPLICATE, detail, extra);
    default:
        json_decref(extra);
        return RESOURCE_DEFAULT;
    }
}
