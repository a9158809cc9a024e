/* Programs and enrollments, pure: both machines edge by edge against the
 * tables of DOMAIN.md written out here, the rules across a program's
 * fields, and eligibility (each check, its order, its status and message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "enrollment.h"
#include "machine.h"
#include "program.h"
#include "role.h"

#include <stdio.h>
#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
#define STAFF (ROLE_STAFF | ROLE_ADMIN)

struct edge {
    int from, action, to;
};

/* Every state × action × role: ST_OK exactly on the edges written here for
 * the roles written here; ST_FORBIDDEN for other roles; ST_INVALID_STATE
 * otherwise. */
static void check_machine(const struct machine *m, const struct edge *edges, size_t n,
                          unsigned (*who)(int action))
{
    for (size_t s = 0; s < m->nstates; s++)
        for (size_t a = 0; a < m->nactions; a++)
            for (size_t r = 0; r < sizeof roles / sizeof *roles; r++) {
                int to = -2, want_to = -2;
                for (size_t e = 0; e < n; e++)
                    if (edges[e].from == (int)s && edges[e].action == (int)a)
                        want_to = edges[e].to;
                enum status want = (who((int)a) & roles[r]) == 0 ? ST_FORBIDDEN
                                   : want_to == -2               ? ST_INVALID_STATE
                                                                 : ST_OK;
                enum status got = machine_transition(m, (int)s, (int)a, roles[r], &to);
                assert_int_equal(got, want);
                if (got == ST_OK)
                    assert_int_equal(to == MACHINE_SAME ? (int)s : to, want_to);
            }
}

static unsigned program_who(int action)
{
    (void)action;
    return STAFF;
}

static void program_machine_edges(void **state)
{
    (void)state;
    static const struct edge edges[] = {
        {PROGRAM_DRAFT, PROGRAM_ACT_OPEN, PROGRAM_OPEN},
        {PROGRAM_OPEN, PROGRAM_ACT_CLOSE, PROGRAM_CLOSED},
        {PROGRAM_CLOSED, PROGRAM_ACT_ARCHIVE, PROGRAM_ARCHIVED},
        {PROGRAM_DRAFT, PROGRAM_ACT_EDIT, PROGRAM_DRAFT},
        {PROGRAM_OPEN, PROGRAM_ACT_EDIT, PROGRAM_OPEN},
        {PROGRAM_CLOSED, PROGRAM_ACT_EDIT, PROGRAM_CLOSED},
    };
    check_machine(&program_machine, edges, sizeof edges / sizeof *edges, program_who);
}

static unsigned enrollment_who(int action)
{
    return action == ENROLLMENT_ACT_WITHDRAW ? ROLE_REGISTRAR : STAFF;
}

static void enrollment_machine_edges(void **state)
{
    (void)state;
    static const struct edge edges[] = {
        {ENROLLMENT_PENDING, ENROLLMENT_ACT_APPROVE, ENROLLMENT_ACTIVE},
        {ENROLLMENT_PENDING, ENROLLMENT_ACT_REJECT, ENROLLMENT_REJECTED},
        {ENROLLMENT_ACTIVE, ENROLLMENT_ACT_SUSPEND, ENROLLMENT_SUSPENDED},
        {ENROLLMENT_SUSPENDED, ENROLLMENT_ACT_REINSTATE, ENROLLMENT_ACTIVE},
        {ENROLLMENT_PENDING, ENROLLMENT_ACT_WITHDRAW, ENROLLMENT_WITHDRAWN},
        {ENROLLMENT_ACTIVE, ENROLLMENT_ACT_WITHDRAW, ENROLLMENT_WITHDRAWN},
    };
    check_machine(&enrollment_machine, edges, sizeof edges / sizeof *edges, enrollment_who);
    /* reasons: reject and suspend */
    assert_true(enrollment_machine.actions[ENROLLMENT_ACT_REJECT].needs_reason);
    assert_true(enrollment_machine.actions[ENROLLMENT_ACT_SUSPEND].needs_reason);
    assert_false(enrollment_machine.actions[ENROLLMENT_ACT_APPROVE].needs_reason);
}

static void calls_select_once_closed(void **state)
{
    (void)state;
    struct enrollment_row r = {.program_kind = PROGRAM_CALL, .program_status = PROGRAM_OPEN};
    unsigned selection = MACHINE_BIT(ENROLLMENT_ACT_APPROVE) | MACHINE_BIT(ENROLLMENT_ACT_REJECT);
    assert_int_equal(enrollment_ruled_out(&r), selection);
    r.program_status = PROGRAM_DRAFT;
    assert_int_equal(enrollment_ruled_out(&r), selection);
    r.program_status = PROGRAM_CLOSED;
    assert_int_equal(enrollment_ruled_out(&r), 0);
    r.program_status = PROGRAM_ARCHIVED;
    assert_int_equal(enrollment_ruled_out(&r), 0);
    r = (struct enrollment_row){.program_kind = PROGRAM_STANDING, .program_status = PROGRAM_OPEN};
    assert_int_equal(enrollment_ruled_out(&r), 0);
}

static struct program_row program(const char *code, enum program_kind kind, int year)
{
    struct program_row p = {.kind = kind, .year = year};
    snprintf(p.code, sizeof p.code, "%s", code);
    return p;
}

static bool has_issue(const struct field_issue *is, size_t n, const char *ptr, enum error_code code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(is[i].pointer, ptr) == 0 && is[i].code == code)
            return true;
    return false;
}

static void program_rules(void **state)
{
    (void)state;
    struct field_issue is[PROGRAM_MAX_ISSUES];
    struct program_row p = program("co-branding-2027", PROGRAM_CALL, 2027);
    assert_int_equal(program_check(&p, is, PROGRAM_MAX_ISSUES), 0);
    p.year = 2028;
    assert_int_equal(program_check(&p, is, PROGRAM_MAX_ISSUES), 1);
    assert_true(has_issue(is, 1, "/code", ERR_YEAR_MISMATCH));
    p = program("co-branding-2027", PROGRAM_CALL, 0);
    assert_int_equal(program_check(&p, is, PROGRAM_MAX_ISSUES), 1);
    assert_true(has_issue(is, 1, "/year", ERR_REQUIRED));
    p = program("3em1", PROGRAM_STANDING, 2027);
    assert_int_equal(program_check(&p, is, PROGRAM_MAX_ISSUES), 1);
    assert_true(has_issue(is, 1, "/year", ERR_NOT_ALLOWED));
    p = program("2027", PROGRAM_CONTEST, 2027); /* nothing before the year */
    assert_int_equal(program_check(&p, is, PROGRAM_MAX_ISSUES), 1);
    assert_true(has_issue(is, 1, "/code", ERR_YEAR_MISMATCH));
    /* the window: a fraction of a second counts; equal ends are no window */
    p = program("3em1", PROGRAM_STANDING, 0);
    snprintf(p.opens_at, sizeof p.opens_at, "2027-01-01T00:00:00Z");
    snprintf(p.closes_at, sizeof p.closes_at, "2027-01-01T00:00:00.5Z");
    assert_int_equal(program_check(&p, is, PROGRAM_MAX_ISSUES), 0);
    snprintf(p.closes_at, sizeof p.closes_at, "2027-01-01T00:00:00Z");
    assert_true(has_issue(is, program_check(&p, is, PROGRAM_MAX_ISSUES), "/enrollment_closes_at",
                          ERR_BEFORE_OPENING));
    snprintf(p.closes_at, sizeof p.closes_at, "2026-12-31T23:59:59.999Z");
    assert_true(has_issue(is, program_check(&p, is, PROGRAM_MAX_ISSUES), "/enrollment_closes_at",
                          ERR_BEFORE_OPENING));
    /* a program does not require itself */
    p = program("3em1-comercio", PROGRAM_STANDING, 0);
    snprintf(p.requires[0], sizeof p.requires[0], "3em1");
    snprintf(p.requires[1], sizeof p.requires[1], "3em1-comercio");
    p.nrequires = 2;
    assert_int_equal(program_check(&p, is, PROGRAM_MAX_ISSUES), 1);
    assert_true(has_issue(is, 1, "/requires/1", ERR_UNKNOWN_PROGRAM));
}

static void forms_and_names(void **state)
{
    (void)state;
    struct program_row p = program("co-branding-2027", PROGRAM_CALL, 2027);
    assert_int_equal(program_form(&p), PROGRAM_FORM_CO_BRANDING);
    assert_string_equal(program_form_name(PROGRAM_FORM_CO_BRANDING), "co-branding");
    p = program("co-branding-2027", PROGRAM_STANDING, 0);
    assert_int_equal(program_form(&p), PROGRAM_FORM_NONE);
    p = program("sitestar-2027", PROGRAM_CONTEST, 2027);
    assert_int_equal(program_form(&p), PROGRAM_FORM_NONE);
    assert_null(program_form_name(PROGRAM_FORM_NONE));
    enum program_kind k;
    assert_true(program_kind_parse("contest", &k) && k == PROGRAM_CONTEST);
    assert_false(program_kind_parse("Contest", &k));
    assert_false(program_kind_parse(NULL, &k));
    enum program_status s;
    assert_true(program_status_parse("archived", &s) && s == PROGRAM_ARCHIVED);
    assert_false(program_status_parse("deleted", &s));
    assert_null(program_status_name((enum program_status)99));
}

/* --- eligibility -------------------------------------------------------- */

/* A registrar that may enroll in an open standing program with no limits. */
static struct eligibility_facts eligible(void)
{
    return (struct eligibility_facts){.registrar_found = true,
                                      .registrar_status = REGISTRAR_ACCREDITED,
                                      .accepting = true,
                                      .now_us = 1000,
                                      .adding = 1};
}

static const char *refused(const struct eligibility_facts *f, enum status *st)
{
    static struct eligibility e;
    static char text[80];
    eligibility_judge(f, ELIGIBILITY_ALL, &e);
    const struct eligibility_check *c = eligibility_refusal(&e);
    assert_int_equal(e.eligible, c == NULL);
    if (c == NULL)
        return NULL;
    *st = eligibility_status(f, c);
    eligibility_code_text(c, text, sizeof text);
    return text;
}

static void each_check(void **state)
{
    (void)state;
    enum status st = ST_OK;
    struct eligibility_facts f = eligible();
    assert_null(refused(&f, &st));

    f.registrar_status = REGISTRAR_SUSPENDED;
    assert_string_equal(refused(&f, &st), "accredited");
    assert_int_equal(st, ST_REGISTRAR_SUSPENDED);
    f.registrar_status = REGISTRAR_TERMINATED;
    assert_string_equal(refused(&f, &st), "accredited");
    assert_int_equal(st, ST_FORBIDDEN);

    f = eligible();
    f.contest = true;
    assert_string_equal(refused(&f, &st), "enrollable");
    assert_int_equal(st, ST_NOT_ELIGIBLE);

    f = eligible();
    f.accepting = false; /* a program not open, an event not published */
    assert_string_equal(refused(&f, &st), "window");
    assert_int_equal(st, ST_WINDOW_CLOSED);
    /* the window in time: [opens, closes) */
    f = eligible();
    f.has_opens = f.has_closes = true;
    f.opens_us = 1000, f.closes_us = 2000;
    assert_null(refused(&f, &st)); /* now == opens */
    f.now_us = 999;
    assert_string_equal(refused(&f, &st), "window");
    f.now_us = 1999;
    assert_null(refused(&f, &st));
    f.now_us = 2000;
    assert_string_equal(refused(&f, &st), "window");

    f = eligible();
    f.nrequires = 2;
    snprintf(f.requires[0], sizeof f.requires[0], "3em1");
    snprintf(f.requires[1], sizeof f.requires[1], "other");
    f.requires_active[0] = true;
    assert_string_equal(refused(&f, &st), "requires:other");
    assert_int_equal(st, ST_NOT_ELIGIBLE);
    f.requires_active[1] = true;
    assert_null(refused(&f, &st));

    f = eligible();
    f.duplicate = true;
    assert_string_equal(refused(&f, &st), "duplicate");
    assert_int_equal(st, ST_CONFLICT);

    f = eligible();
    f.capacity = 3, f.taken = 2;
    assert_null(refused(&f, &st));
    f.taken = 3;
    assert_string_equal(refused(&f, &st), "capacity");
    assert_int_equal(st, ST_CAPACITY_FULL);
    f.adding = 0; /* already counted (a reinstatement, judged after its move) */
    assert_null(refused(&f, &st));
    f.taken = 4;
    assert_string_equal(refused(&f, &st), "capacity");

    /* an event's waitlist: full, the waitlist takes it; while anyone waits,
     * nobody fits, even where the seats would */
    f = eligible();
    f.capacity = 3, f.taken = 3, f.waitlist = true;
    assert_null(refused(&f, &st));
    assert_false(eligibility_fits(&f));
    f.taken = 0, f.waiting = 1;
    assert_false(eligibility_fits(&f));
    assert_null(refused(&f, &st));
    f.waitlist = false;
    assert_string_equal(refused(&f, &st), "capacity");
    f.waiting = 0;
    assert_true(eligibility_fits(&f));
    f.waitlist = true, f.taken = 3, f.adding = 4; /* more than the whole capacity */
    assert_string_equal(refused(&f, &st), "capacity");
}

static void order_and_masks(void **state)
{
    (void)state;
    struct eligibility e;
    struct eligibility_facts f = eligible();
    f.registrar_status = REGISTRAR_SUSPENDED;
    f.accepting = false;
    f.duplicate = true;
    f.nrequires = 1;
    snprintf(f.requires[0], sizeof f.requires[0], "3em1");
    eligibility_judge(&f, ELIGIBILITY_ALL, &e);
    /* every check is reported, in order; the first failure decides */
    const enum eligibility_code order[] = {ELIGIBILITY_ACCREDITED, ELIGIBILITY_AGREEMENT,
                                           ELIGIBILITY_WINDOW,     ELIGIBILITY_REQUIRES,
                                           ELIGIBILITY_DUPLICATE,  ELIGIBILITY_CAPACITY};
    assert_int_equal(e.count, 6);
    for (size_t i = 0; i < e.count; i++)
        assert_int_equal(e.checks[i].code, order[i]);
    assert_false(e.eligible);
    assert_int_equal(eligibility_refusal(&e)->code, ELIGIBILITY_ACCREDITED);
    assert_true(e.checks[5].passed);
    /* a mask runs only its checks */
    eligibility_judge(&f, ELIGIBILITY_BIT(ELIGIBILITY_CAPACITY), &e);
    assert_int_equal(e.count, 1);
    assert_true(e.eligible);
    eligibility_judge(&f, ELIGIBILITY_BIT(ELIGIBILITY_REQUIRES), &e);
    assert_false(e.eligible);
    assert_string_equal(e.checks[0].subject, "3em1");
}

static void messages(void **state)
{
    (void)state;
    char out[200];
    eligibility_message(ELIGIBILITY_REQUIRES, ELIGIBILITY_FOR_PROGRAM, "3em1", false, false, out,
                        sizeof out);
    assert_string_equal(out, "An active enrollment in 3em1 is required.");
    eligibility_message(ELIGIBILITY_REQUIRES, ELIGIBILITY_FOR_EVENT, "3em1", false, true, out,
                        sizeof out);
    assert_string_equal(out, "É necessária uma adesão ativa ao programa 3em1.");
    for (int c = 0; c < ELIGIBILITY_CODE_COUNT; c++)
        for (int t = 0; t < ELIGIBILITY_TARGET_COUNT; t++)
            for (int passed = 0; passed < 2; passed++)
                for (int pt = 0; pt < 2; pt++) {
                    eligibility_message((enum eligibility_code)c, (enum eligibility_target)t, "x",
                                        passed, pt, out, sizeof out);
                    assert_true(strlen(out) > 10);
                }
    eligibility_message(ELIGIBILITY_DUPLICATE, ELIGIBILITY_FOR_EVENT, NULL, false, false, out,
                        sizeof out);
    assert_string_equal(out, "The registrar is already registered for this event.");
    enum eligibility_code code;
    for (int c = 0; c < ELIGIBILITY_CODE_COUNT; c++) {
        assert_true(eligibility_code_parse(eligibility_code_name((enum eligibility_code)c), &code));
        assert_int_equal(code, c);
    }
    assert_false(eligibility_code_parse("requires:3em1", &code));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(program_machine_edges),    cmocka_unit_test(enrollment_machine_edges),
        cmocka_unit_test(calls_select_once_closed), cmocka_unit_test(program_rules),
        cmocka_unit_test(forms_and_names),          cmocka_unit_test(each_check),
        cmocka_unit_test(order_and_masks),          cmocka_unit_test(messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
