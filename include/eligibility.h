/* Eligibility: the one judge of whether a registrar may join something now
 * (enroll in a program, register for an event), every check explained.
 * Enrolling and GET /v1/programs/{code}/eligibility, registering and GET
 * /v1/events/{id}/eligibility, each judge the same facts with this one
 * function, so an explanation and a refusal cannot disagree. Pure: no I/O. */
#ifndef PARCERIA_ELIGIBILITY_H
#define PARCERIA_ELIGIBILITY_H

#include "agreement.h"
#include "program.h"
#include "registrar.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>

/* What is joined: its words in the messages. */
enum eligibility_target {
    ELIGIBILITY_FOR_PROGRAM,
    ELIGIBILITY_FOR_EVENT,
};
#define ELIGIBILITY_TARGET_COUNT 2

/* What the store knows of a registrar and a program or event at one moment. */
struct eligibility_facts {
    enum eligibility_target target;
    bool registrar_found;
    enum registrar_status registrar_status;
    bool contest;                  /* a contest program: nobody enrolls in one */
    bool accepting;                /* the program is open, the event published */
    long long now_us;              /* the transaction's clock, µs since the epoch */
    bool has_opens, has_closes;    /* the window's ends, when set */
    long long opens_us, closes_us; /* µs since the epoch */
    size_t nrequires;
    char requires[PROGRAM_MAX_REQUIRES][PROGRAM_CODE_MAX + 1];
    bool requires_active[PROGRAM_MAX_REQUIRES]; /* the registrar's enrollment there is active */
    int capacity;                               /* 0: none */
    int taken;                                  /* places (seats) given */
    int adding;     /* places the change still adds: 1 to enroll, 0 when counted */
    bool waitlist;  /* an event's waitlist takes who does not fit */
    int waiting;    /* registrations on that waitlist now */
    bool duplicate; /* a live enrollment or registration exists */
    /* trust: agreements. The data-processing agreement the registrar must
     * accept first (filled by service_agreement_facts, not the store's facts). */
    struct agreement_due agreement;
};

enum eligibility_code {
    ELIGIBILITY_ACCREDITED,
    ELIGIBILITY_ENROLLABLE, /* contests only: nobody enrolls in one */
    ELIGIBILITY_WINDOW,
    ELIGIBILITY_REQUIRES,
    ELIGIBILITY_DUPLICATE,
    ELIGIBILITY_CAPACITY,
    ELIGIBILITY_AGREEMENT, /* judged right after ACCREDITED: the agreement is accepted */
};
#define ELIGIBILITY_CODE_COUNT 7

/* Which checks a judgement runs (bits of 1u << enum eligibility_code). */
#define ELIGIBILITY_ALL 0x7fu
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
 * eligibility_code but AGREEMENT right after ACCREDITED (one REQUIRES check per program required;
 * ENROLLABLE only for contests). The capacity check passes when the places fit and nobody waits, or
 * when a waitlist takes the rest (never places that would not fit the whole capacity: they would
 * block the waitlist for good). */
void eligibility_judge(const struct eligibility_facts *facts, unsigned mask,
                       struct eligibility *out);
/* Whether the places fit now: within capacity, and nobody waits before them
 * (a waitlist is served in arrival order). */
bool eligibility_fits(const struct eligibility_facts *facts);
/* The first failed check, or NULL when eligible. */
const struct eligibility_check *eligibility_refusal(const struct eligibility *e);
/* The status a failed check answers: ST_REGISTRAR_SUSPENDED or
 * ST_FORBIDDEN (accredited: suspended, or anything else),
 * ST_NOT_ELIGIBLE (enrollable, requires), ST_WINDOW_CLOSED, ST_CONFLICT
 * (duplicate), ST_CAPACITY_FULL, ST_AGREEMENT_REQUIRED (agreement: its
 * subject is the version). */
enum status eligibility_status(const struct eligibility_facts *facts,
                               const struct eligibility_check *check);
/* "accredited", "window", …, "requires:3em1": the check's public code,
 * written to out (cap bytes). */
void eligibility_code_text(const struct eligibility_check *check, char *out, size_t cap);
/* The check's rule name ("requires"), a static string (service_outcome.conflict). */
const char *eligibility_code_name(enum eligibility_code code);
bool eligibility_code_parse(const char *name, enum eligibility_code *out) WARN_UNUSED;
/* Why the check passed or failed, for a program or an event, in English or
 * Portuguese, written to out. */
void eligibility_message(enum eligibility_code code, enum eligibility_target target,
                         const char *subject, bool passed, bool pt, char *out, size_t cap);

#endif
