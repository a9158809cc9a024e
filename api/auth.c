/* The role rule in front of every route. Token verification arrives with the
 * identity work; until then only public routes exist and any other route
 * answers 401. */
#include "auth.h"

#include "problem.h"

bool auth_authorize(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    unsigned roles)
{
    (void)req;
    if (roles == ROLE_PUBLIC)
        return true;
    problem_send(resp, ctx, PROBLEM_UNAUTHENTICATED, PROBLEM_NO_DETAIL, NULL);
    return false;
}
