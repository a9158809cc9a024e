/* Request bodies (body.h). */
#include "body.h"

#include "problem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool media_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (ct == NULL || strncasecmp(ct, want, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

bool body_is_json(const struct _u_request *req, enum schema_mode mode)
{
    const char *ct = u_map_get_case(req->map_header, "Content-Type");
    return media_type_is(ct, "application/json") ||
           (mode == SCHEMA_PATCH && media_type_is(ct, "application/merge-patch+json"));
}

static int send_validation(struct _u_response *resp, struct req_ctx *ctx, json_t *errors)
{
    return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                        json_pack("{s:o}", "errors", errors));
}

json_t *body_read(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                  const struct field *fields, enum schema_mode mode, unsigned role, bool optional)
{
    if (req->binary_body_length == 0 && optional)
        return json_object();
    if (!body_is_json(req, mode)) {
        problem_send(resp, ctx, PROBLEM_UNSUPPORTED_MEDIA_TYPE, PROBLEM_NO_DETAIL, NULL);
        return NULL;
    }
    json_error_t err;
    json_t *body =
        json_loadb(req->binary_body, req->binary_body_length, JSON_REJECT_DUPLICATES, &err);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        problem_send(resp, ctx, PROBLEM_INVALID_REQUEST,
                     (struct problem_text){"The body is not a well-formed JSON object.",
                                           "O corpo não é um objeto JSON bem formado."},
                     NULL);
        return NULL;
    }
    json_t *errors = json_array();
    if (!schema_validate(body, fields, mode, role, ctx->lang_pt, errors)) {
        json_decref(body);
        send_validation(resp, ctx, errors);
        return NULL;
    }
    json_decref(errors);
    return body;
}
