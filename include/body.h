/* Request bodies: the media type, and the "or reply" reader that parses a
 * JSON object and validates it against a field table (schema.h), answering
 * 400/415/422 itself. */
#ifndef PARCERIA_BODY_H
#define PARCERIA_BODY_H

#include "api.h"
#include "schema.h"

/* Whether the Content-Type is JSON (or, for a PATCH, a JSON merge patch). */
bool body_is_json(const struct _u_request *req, enum schema_mode mode);

/* Reads the body as a JSON object and validates it; on any failure answers
 * 400/413/415/422 and returns NULL. When optional is true an empty body is an
 * empty object. Returns a new reference. */
json_t *body_read(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                  const struct field *fields, enum schema_mode mode, unsigned role, bool optional);

#endif
