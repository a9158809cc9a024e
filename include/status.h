/* The typed outcome every domain, store and service function returns;
 * results travel in out-parameters. One table names each status, says what
 * it means, and which problem type (problem.h) the HTTP layer answers it
 * with, so a misspelt status or problem does not compile. */
#ifndef PARCERIA_STATUS_H
#define PARCERIA_STATUS_H

/* X(name, meaning, problem) */
#define STATUS_LIST(X)                                                                             \
    X(OK, "done", SERVICE_UNAVAILABLE) /* never answered as a problem */                           \
    X(UNCHANGED, "done before with the same input: nothing changes (an effect's answer)",          \
      SERVICE_UNAVAILABLE) /* service_act answers it as ST_OK */                                   \
    X(NOT_FOUND, "no such object, or not the caller's", NOT_FOUND)                                 \
    X(INVALID, "input breaks a rule", VALIDATION_FAILED)                                           \
    X(BAD_VALUE, "the database refused a value (SQLSTATE class 22): a tampered cursor",            \
      INVALID_REQUEST)                                                                             \
    X(CONFLICT, "a duplicate (a unique constraint)", DUPLICATE)                                    \
    X(INVALID_STATE, "the action is not allowed in the current state", INVALID_STATE)              \
    X(STALE, "If-Match does not match", PRECONDITION_FAILED)                                       \
    X(FORBIDDEN, "authenticated but not allowed", FORBIDDEN)                                       \
    X(REVOKED, "the caller's credential was revoked", UNAUTHENTICATED)                             \
    X(LIMIT, "a count limit is reached", LIMIT_REACHED)                                            \
    X(NOT_ELIGIBLE, "a rule of eligibility is not met (outcome.conflict says which)",              \
      NOT_ELIGIBLE)                                                                                \
    X(WINDOW_CLOSED, "outside the window in which this may be done", WINDOW_CLOSED)                \
    X(CAPACITY_FULL, "no place is left", CAPACITY_FULL)                                            \
    X(REGISTRAR_SUSPENDED, "the registrar is suspended from program actions", REGISTRAR_SUSPENDED) \
    X(VOUCHER_REDEEMED, "the voucher was redeemed by another registrar or for another domain",     \
      VOUCHER_REDEEMED)                                                                            \
    X(VOUCHER_EXPIRED, "the voucher is past its expires_at", VOUCHER_EXPIRED)                      \
    X(VOUCHER_REVOKED, "the voucher was revoked", VOUCHER_REVOKED)                                 \
    X(AGREEMENT_REQUIRED, "a data-processing agreement past its accept_by is not accepted",        \
      AGREEMENT_REQUIRED)                                                                          \
    X(RATE_LIMITED, "too many requests in the window: Retry-After says when", RATE_LIMITED)        \
    X(RETRY, "serialization failure or deadlock: run the transaction again", SERVICE_UNAVAILABLE)  \
    X(UNAVAILABLE, "the database cannot be reached or timed out", SERVICE_UNAVAILABLE)

enum status {
#define STATUS_ENUM(name, meaning, problem) ST_##name,
    STATUS_LIST(STATUS_ENUM)
#undef STATUS_ENUM
};

#define WARN_UNUSED __attribute__((warn_unused_result))

#endif
