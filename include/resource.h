/* Helpers every stateful resource's handlers share: ETag and If-Match, the
 * optional action body with its reason, the invalid-state problem with
 * current_status, and history pages. */
#ifndef PARCERIA_RESOURCE_H
#define PARCERIA_RESOURCE_H

#include "api.h"
#include "audit.h"

/* Sets ETag: "<version>". */
void resource_etag(struct _u_response *resp, int version);
/* Reads If-Match for a PATCH: answers 428 when missing and returns false;
 * *version is the quoted number, or -1 for "*" and -2 when it is not ours
 * (which can never match: a 412 later). */
bool resource_if_match(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                       int *version);
/* Reads an action's optional body {"reason": "…"}; needs_reason makes it
 * required. Returns false after answering 400/415/422. *reason is a new
 * string or NULL. */
bool resource_reason(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                     bool needs_reason, char **reason);
/* 409 invalid-state with current_status. */
int resource_invalid_state(struct _u_response *resp, struct req_ctx *ctx, const char *current);
/* Answers a refused change: 409 invalid-state with current, 422 with the
 * validation errors (taken from *errors when st is ST_INVALID and there are
 * some), or the problem st stands for. */
int resource_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                     const char *current, json_t **errors);
/* Answers {"items": [history entries], "next_cursor": null} for a resource. */
int resource_history(struct _u_response *resp, struct req_ctx *ctx, const char *type,
                     const char *id);
/* allowed_actions from lent names. */
json_t *resource_actions(const char *const *names, size_t n);

#endif
