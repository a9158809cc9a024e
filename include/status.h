/* The typed outcome every domain and store function returns; results travel in
 * out-parameters. The HTTP layer maps each status to one problem type. */
#ifndef PARCERIA_STATUS_H
#define PARCERIA_STATUS_H

enum status {
    ST_OK = 0,
    ST_NOT_FOUND,     /* no such object, or not the caller's */
    ST_INVALID,       /* input breaks a rule */
    ST_BAD_VALUE,     /* the database refused a value (SQLSTATE class 22): a tampered cursor */
    ST_CONFLICT,      /* unique constraint: a duplicate */
    ST_INVALID_STATE, /* action not allowed in the current state */
    ST_STALE,         /* If-Match does not match */
    ST_FORBIDDEN,     /* authenticated but not allowed */
    ST_LIMIT,         /* a count limit is reached */
    ST_RETRY,         /* serialization failure or deadlock: run the transaction again */
    ST_UNAVAILABLE,   /* the database cannot be reached or timed out */
};

#define WARN_UNUSED __attribute__((warn_unused_result))

#endif
