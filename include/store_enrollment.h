/* Enrollments: all their SQL, no rules. */
#ifndef PARCERIA_STORE_ENROLLMENT_H
#define PARCERIA_STORE_ENROLLMENT_H

#include "db.h"
#include "enrollment.h"
#include "page.h"

#include <stdbool.h>

#define STORE_ENROLLMENT_SORTS 2
extern const struct page_sort store_enrollment_sorts[STORE_ENROLLMENT_SORTS];
enum {
    STORE_ENROLLMENT_PROGRAM,   /* JSON array of program codes */
    STORE_ENROLLMENT_REGISTRAR, /* JSON array of registrar ids */
    STORE_ENROLLMENT_STATUS,    /* JSON array of statuses */
};

/* Reads one enrollment with its program's kind and status; lock takes FOR
 * UPDATE of the enrollment. ST_NOT_FOUND when absent. */
enum status store_enrollment_get(PGconn *conn, const char *id, bool lock,
                                 struct enrollment_row *out) WARN_UNUSED;

struct enrollment_new {
    const char *program, *registrar_id, *accepted_terms_version;
    const json_t *application; /* or NULL */
};
/* Inserts a pending enrollment; out gets it. ST_CONFLICT when the registrar
 * has a live one in the program (the unique index). */
enum status store_enrollment_insert(PGconn *conn, const struct enrollment_new *in,
                                    struct enrollment_row *out) WARN_UNUSED;
/* Sets the status (a name the domain gave) and the reason (may be NULL). */
enum status store_enrollment_move(PGconn *conn, struct enrollment_row *row, const char *to,
                                  const char *reason) WARN_UNUSED;

/* Locks the program's row against other enrollments' counts until the end of
 * the transaction. ST_NOT_FOUND when absent. */
enum status store_enrollment_lock_program(PGconn *conn, const char *program) WARN_UNUSED;
/* The facts of eligibility for registrar_id in program, at this statement's
 * snapshot (take the lock first). ST_NOT_FOUND when the program is absent;
 * an absent registrar is facts->registrar_found false. */
enum status store_enrollment_facts(PGconn *conn, const char *program, const char *registrar_id,
                                   struct eligibility_facts *facts) WARN_UNUSED;
/* The ids of registrar_id's active enrollments in programs that require
 * program, locked (a new NULL-terminated array of new strings). */
enum status store_enrollment_dependents(PGconn *conn, const char *registrar_id, const char *program,
                                        char ***ids) WARN_UNUSED;
/* counts[status] for the program's enrollments. */
enum status store_enrollment_counts(PGconn *conn, const char *program,
                                    long long counts[ENROLLMENT_STATUS_COUNT]) WARN_UNUSED;
/* A page of enrollments (rows: struct enrollment_row). */
enum status store_enrollment_list(PGconn *conn, const struct page_query *q,
                                  struct page_result *out) WARN_UNUSED;

#endif
