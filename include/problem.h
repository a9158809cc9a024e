/* Every error body: RFC 9457 problem+json with a type from one closed list,
 * titles from one English / Portuguese (pt-PT) catalogue. */
#ifndef PARCERIA_PROBLEM_H
#define PARCERIA_PROBLEM_H

#include "api.h"
#include "status.h"

enum problem_kind {
    PROBLEM_INVALID_REQUEST,
    PROBLEM_VALIDATION_FAILED,
    PROBLEM_UNAUTHENTICATED,
    PROBLEM_FORBIDDEN,
    PROBLEM_NOT_FOUND,
    PROBLEM_METHOD_NOT_ALLOWED,
    PROBLEM_INVALID_STATE,
    PROBLEM_DUPLICATE,
    PROBLEM_NOT_ELIGIBLE,
    PROBLEM_WINDOW_CLOSED,
    PROBLEM_CAPACITY_FULL,
    PROBLEM_VOUCHER_REDEEMED,
    PROBLEM_VOUCHER_EXPIRED,
    PROBLEM_VOUCHER_REVOKED,
    PROBLEM_REGISTRAR_SUSPENDED,
    PROBLEM_PRECONDITION_FAILED,
    PROBLEM_PRECONDITION_REQUIRED,
    PROBLEM_PAYLOAD_TOO_LARGE,
    PROBLEM_UNSUPPORTED_MEDIA_TYPE,
    PROBLEM_RATE_LIMITED,
    PROBLEM_IDEMPOTENCY_KEY_REUSED,
    PROBLEM_LIMIT_REACHED,
    PROBLEM_SERVICE_UNAVAILABLE,
    PROBLEM_KIND_COUNT
};

/* A detail in both languages; either may be NULL to use the catalogue's. */
struct problem_text {
    const char *en;
    const char *pt;
};

/* The kind's slug ("not-found"), for the type URI. */
const char *problem_slug(enum problem_kind kind);
/* The kind's HTTP status. */
unsigned problem_status(enum problem_kind kind);
/* The kind's title in the caller's language. */
const char *problem_title(enum problem_kind kind, bool pt);

/* Builds the problem body (a new reference); extra members (errors,
 * current_status…) are merged in when extra is not NULL (reference taken). */
json_t *problem_body(const struct req_ctx *ctx, enum problem_kind kind, struct problem_text detail,
                     json_t *extra);

/* Answers the problem. Takes extra. Adds Retry-After for 429 and 503 and
 * WWW-Authenticate for 401. Returns U_CALLBACK_COMPLETE. */
int problem_send(struct _u_response *resp, struct req_ctx *ctx, enum problem_kind kind,
                 struct problem_text detail, json_t *extra);

/* Answers the problem a store or domain status stands for (ST_NOT_FOUND → 404…). */
int problem_send_status(struct _u_response *resp, struct req_ctx *ctx, enum status st);

#define PROBLEM_NO_DETAIL ((struct problem_text){NULL, NULL})

#endif
