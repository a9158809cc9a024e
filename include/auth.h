/* Authentication and the role rule: verifies the bearer token (when the route
 * needs one), fills ctx->who, and refuses callers whose role the route does
 * not admit. */
#ifndef PARCERIA_AUTH_H
#define PARCERIA_AUTH_H

#include "api.h"

/* Returns true when the caller may go on; otherwise has answered 401 or 403. */
bool auth_authorize(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    unsigned roles);

#endif
