/* Enrollments (DOMAIN.md section 3): one registrar in one program. Their
 * status machine, the row, and eligibility: the one function that decides
 * whether a registrar may enroll, which enrollment runs and
 * GET /v1/programs/{code}/eligibility explains. Pure: no I/O.
 *
 *   action         who        from             to         effects
 *   approve        staff      pending          active     registrar, prerequisites
 *   reject (R)     staff      pending          rejected
 *   suspend (R)    staff      active           suspended  dependents
 *   reinstate      staff      suspended        active     registrar, prerequisites, capacity
 *   withdraw       registrar  pending, active  withdrawn  registrar, dependents
 *
 * staff: ROLE_STAFF or ROLE_ADMIN. (R): a reason is required. rejected and
 * withdrawn are final. In a call, staff select (approve, reject) once the
 * call is closed. Effects, run in the action's transaction: "registrar"
 * refuses when the registrar is not accredited; "prerequisites" when a
 * program it requires has no active enrollment of the registrar;
 * "capacity" when the program has no place left; "dependents" suspends the
 * registrar's active enrollments in programs that require this one. */
#ifndef PARCERIA_ENROLLMENT_H
#define PARCERIA_ENROLLMENT_H

#include "program.h"
#include "registrar.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum enrollment_status {
    ENROLLMENT_PENDING,
    ENROLLMENT_ACTIVE,
    ENROLLMENT_REJECTED,
    ENROLLMENT_WITHDRAWN,
    ENROLLMENT_SUSPENDED,
};
#define ENROLLMENT_STATUS_COUNT 5

enum enrollment_action {
    ENROLLMENT_ACT_APPROVE,
    ENROLLMENT_ACT_REJECT,
    ENROLLMENT_ACT_SUSPEND,
    ENROLLMENT_ACT_REINSTATE,
    ENROLLMENT_ACT_WITHDRAW,
};
#define ENROLLMENT_ACTION_COUNT 5

enum enrollment_effect {
    ENROLLMENT_EFFECT_REGISTRAR = 1u << 0,
    ENROLLMENT_EFFECT_PREREQUISITES = 1u << 1,
    ENROLLMENT_EFFECT_CAPACITY = 1u << 2,
    ENROLLMENT_EFFECT_DEPENDENTS = 1u << 3,
};

struct machine;
extern const struct machine enrollment_machine;

struct enrollment_row {
    char id[37];
    char program[PROGRAM_CODE_MAX + 1];
    char registrar_id[37];
    enum enrollment_status status;
    char accepted_terms_version[81];
    json_t *application; /* owned, or NULL */
    char *reason;        /* owned, or NULL */
    enum program_kind program_kind;
    enum program_status program_status;
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void enrollment_row_cleanup(struct enrollment_row *row);

const char *enrollment_status_name(enum enrollment_status status);
bool enrollment_status_parse(const char *name, enum enrollment_status *out) WARN_UNUSED;
/* The actions a rule outside the table rules out now (machine bits): in a
 * call still open (or a draft), no selection yet. */
unsigned enrollment_ruled_out(const struct enrollment_row *row);

/* --- eligibility -------------------------------------------------------- */

/* What the store knows of a registrar and a program at one moment. */
struct eligibility_facts {
    bool registrar_found;
    enum registrar_status registrar_status;
    enum program_kind kind;
    enum program_status status;
    long long now_us;              /* the transaction's clock, µs since the epoch */
    bool has_opens, has_closes;    /* the window's ends, when set */
    long long opens_us, closes_us; /* µs since the epoch */
    size_t nrequires;
    char requires[PROGRAM_MAX_REQUIRES][PROGRAM_CODE_MAX + 1];
    bool requires_active[PROGRAM_MAX_REQUIRES]; /* the registrar's enrollment there is active */
    int capacity;                               /* 0: none */
    int taken;                                  /* pending and active enrollments */
    int adding;     /* places the change still adds: 1 to enroll, 0 when counted */
    bool duplicate; /* a pending, active or suspended enrollment exists */
};

enum eligibility_code {
    ELIGIBILITY_ACCREDITED,
    ELIGIBILITY_ENROLLABLE, /* contests only: nobody enrolls in one */
    ELIGIBILITY_WINDOW,
    ELIGIBILITY_REQUIRES,
    ELIGIBILITY_DUPLICATE,
    ELIGIBILITY_CAPACITY,
};
#define ELIGIBILITY_CODE_COUNT 6

/* Which checks a judgement runs (bits of 1u << enum eligibility_code). */
#define ELIGIBILITY_ALL 0x3fu
#define ELIGIBILITY_BIT(code) (1u << (code))

struct eligibility_check {
    enum eligibility_code code;
    char subject[PROGRAM_CODE_MAX + 1]; /* ELIGIBILITY_REQUIRES: the program required */
    bool passed;
};

#define ELIGIBILITY_MAX_CHECKS (ELIGIBILITY_CODE_COUNT + PROGRAM_MAX_REQUIRES)
struct eligibility {
    bool eligible;
    size_t count;
    struct eligibility_check checks[ELIGIBILITY_MAX_CHECKS];
};

/* Judges the facts with the checks in mask, in the order of enum
 * eligibility_code (one REQUIRES check per program required; ENROLLABLE
 * only for contests). */
void eligibility_judge(const struct eligibility_facts *facts, unsigned mask,
                       struct eligibility *out);
/* The first failed check, or NULL when eligible. */
const struct eligibility_check *eligibility_refusal(const struct eligibility *e);
/* The status a failed check answers: ST_REGISTRAR_SUSPENDED or
 * ST_FORBIDDEN (accredited: suspended, or anything else),
 * ST_NOT_ELIGIBLE (enrollable, requires), ST_WINDOW_CLOSED, ST_CONFLICT
 * (duplicate), ST_CAPACITY_FULL. */
enum status eligibility_status(const struct eligibility_facts *facts,
                               const struct eligibility_check *check);
/* "accredited", "window", …, "requires:3em1": the check's public code,
 * written to out (cap bytes). */
void eligibility_code_text(const struct eligibility_check *check, char *out, size_t cap);
/* The check's rule name ("requires"), a static string (service_outcome.conflict). */
const char *eligibility_code_name(enum eligibility_code code);
bool eligibility_code_parse(const char *name, enum eligibility_code *out) WARN_UNUSED;
/* Why the check passed or failed, in English or Portuguese, written to out. */
void eligibility_message(enum eligibility_code code, const char *subject, bool passed, bool pt,
                         char *out, size_t cap);

#endif
