/* Events and registrations, pure: both machines edge by edge against the
 * tables of event.h written out here (and what machine_allowed lists for
 * each role), the rules across an event's fields, eligibility, the names,
 * what an event's state rules out for its registrations and the waitlist's
 * promotion (in arrival order: nobody jumps the head). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "event.h"
#include "machine.h"
#include "role.h"

#include <stdio.h>
#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
#define NROLES (sizeof roles / sizeof *roles)
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
            for (size_t r = 0; r < NROLES; r++) {
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
                    assert_int_equal(to, want_to);
                else
                    assert_int_equal(to, -2); /* untouched when refused */
            }
}

/* The names machine_allowed lends, joined with spaces ("" for none). */
static const char *allowed(const struct machine *m, int state, unsigned role, unsigned skip)
{
    static char buf[128];
    const char *names[8];
    size_t n = machine_allowed(m, state, role, skip, names, 8);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strcat(buf, " ");
        strcat(buf, names[i]);
    }
    return buf;
}

/* --- the event machine ---------------------------------------------------- */

static unsigned event_who(int action)
{
    (void)action;
    return STAFF;
}

static void event_machine_every_edge_role_and_state(void **state)
{
    (void)state;
    static const struct edge edges[] = {
        {EVENT_DRAFT, EVENT_ACT_PUBLISH, EVENT_PUBLISHED},
        {EVENT_DRAFT, EVENT_ACT_CANCEL, EVENT_CANCELLED},
        {EVENT_PUBLISHED, EVENT_ACT_CANCEL, EVENT_CANCELLED},
        {EVENT_PUBLISHED, EVENT_ACT_CLOSE, EVENT_CLOSED},
        {EVENT_DRAFT, EVENT_ACT_EDIT, EVENT_DRAFT},
        {EVENT_PUBLISHED, EVENT_ACT_EDIT, EVENT_PUBLISHED},
    };
    assert_int_equal(event_machine.nstates, EVENT_STATUS_COUNT);
    assert_int_equal(event_machine.nactions, EVENT_ACTION_COUNT);
    check_machine(&event_machine, edges, sizeof edges / sizeof *edges, event_who);
}

static void event_machine_actions_named_with_their_effects(void **state)
{
    (void)state;
    static const char *const names[EVENT_ACTION_COUNT] = {"publish", "cancel", "close", "edit"};
    for (int a = 0; a < EVENT_ACTION_COUNT; a++) {
        assert_string_equal(event_machine.actions[a].name, names[a]);
        assert_int_equal(machine_action(&event_machine, names[a]), a);
        assert_false(event_machine.actions[a].needs_reason);
    }
    assert_int_equal(machine_action(&event_machine, "check-in"), -1);
    assert_int_equal(event_machine.actions[EVENT_ACT_CANCEL].effects, EVENT_EFFECT_REGISTRATIONS);
    assert_int_equal(event_machine.actions[EVENT_ACT_EDIT].effects, EVENT_EFFECT_PROMOTE);
    assert_int_equal(event_machine.actions[EVENT_ACT_EDIT].to, MACHINE_SAME);
    assert_int_equal(event_machine.actions[EVENT_ACT_PUBLISH].effects, 0);
    assert_int_equal(event_machine.actions[EVENT_ACT_CLOSE].effects, 0);
}

static void event_machine_outside_states_and_actions_invalid(void **state)
{
    (void)state;
    int to = -2;
    assert_int_equal(machine_transition(&event_machine, -1, EVENT_ACT_PUBLISH, ROLE_STAFF, &to),
                     ST_INVALID);
    assert_int_equal(
        machine_transition(&event_machine, EVENT_STATUS_COUNT, EVENT_ACT_PUBLISH, ROLE_STAFF, &to),
        ST_INVALID);
    assert_int_equal(
        machine_transition(&event_machine, EVENT_DRAFT, EVENT_ACTION_COUNT, ROLE_STAFF, &to),
        ST_INVALID);
    assert_int_equal(machine_transition(&event_machine, EVENT_DRAFT, -1, ROLE_ADMIN, &to),
                     ST_INVALID);
    assert_int_equal(to, -2);
}

static void event_machine_role_answered_before_state(void **state)
{
    (void)state;
    int to;
    /* a registrar closing a draft: forbidden, not an invalid state */
    assert_int_equal(
        machine_transition(&event_machine, EVENT_DRAFT, EVENT_ACT_CLOSE, ROLE_REGISTRAR, &to),
        ST_FORBIDDEN);
    assert_int_equal(
        machine_transition(&event_machine, EVENT_DRAFT, EVENT_ACT_CLOSE, ROLE_STAFF, &to),
        ST_INVALID_STATE);
    /* a token with several roles passes when any of them may */
    assert_int_equal(machine_transition(&event_machine, EVENT_DRAFT, EVENT_ACT_PUBLISH,
                                        ROLE_REGISTRAR | ROLE_ADMIN, &to),
                     ST_OK);
    assert_int_equal(to, EVENT_PUBLISHED);
}

static void event_allowed_actions_per_state_and_role(void **state)
{
    (void)state;
    const unsigned staffs[] = {ROLE_STAFF, ROLE_ADMIN};
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(allowed(&event_machine, EVENT_DRAFT, staffs[i], 0),
                            "publish cancel edit");
        assert_string_equal(allowed(&event_machine, EVENT_PUBLISHED, staffs[i], 0),
                            "cancel close edit");
        assert_string_equal(allowed(&event_machine, EVENT_CANCELLED, staffs[i], 0), "");
        assert_string_equal(allowed(&event_machine, EVENT_CLOSED, staffs[i], 0), "");
    }
    for (int s = 0; s < EVENT_STATUS_COUNT; s++) {
        assert_string_equal(allowed(&event_machine, s, ROLE_REGISTRAR, 0), "");
        assert_string_equal(allowed(&event_machine, s, ROLE_APPLICANT, 0), "");
        assert_string_equal(allowed(&event_machine, s, ROLE_TEACHER, 0), "");
        assert_string_equal(allowed(&event_machine, s, ROLE_PUBLIC, 0), "");
    }
    /* skip leaves out the actions whose bits it sets */
    assert_string_equal(
        allowed(&event_machine, EVENT_PUBLISHED, ROLE_STAFF, MACHINE_BIT(EVENT_ACT_CLOSE)),
        "cancel edit");
    /* cap bounds what is written */
    const char *names[1];
    assert_int_equal(machine_allowed(&event_machine, EVENT_DRAFT, ROLE_STAFF, 0, names, 1), 1);
    assert_string_equal(names[0], "publish");
}

/* --- names ---------------------------------------------------------------- */

static void event_status_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[EVENT_STATUS_COUNT] = {"draft", "published", "cancelled",
                                                          "closed"};
    for (int s = 0; s < EVENT_STATUS_COUNT; s++) {
        enum event_status got = EVENT_CLOSED + 1;
        assert_string_equal(event_status_name((enum event_status)s), names[s]);
        assert_true(event_status_parse(names[s], &got));
        assert_int_equal(got, s);
    }
    assert_null(event_status_name((enum event_status)EVENT_STATUS_COUNT));
    assert_null(event_status_name((enum event_status) - 1));
}

static void event_status_parse_refuses_unknown_and_leaves_out(void **state)
{
    (void)state;
    enum event_status out = EVENT_CLOSED;
    assert_false(event_status_parse("Draft", &out));
    assert_false(event_status_parse("", &out));
    assert_false(event_status_parse("publish", &out));
    assert_false(event_status_parse("published ", &out));
    assert_false(event_status_parse(NULL, &out));
    assert_int_equal(out, EVENT_CLOSED);
}

static void event_kind_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[EVENT_KIND_COUNT] = {
        "summit", "registrar_meeting", "centr_registrar_day", "conference", "training"};
    for (int k = 0; k < EVENT_KIND_COUNT; k++) {
        enum event_kind got = EVENT_TRAINING + 1;
        assert_string_equal(event_kind_name((enum event_kind)k), names[k]);
        assert_string_equal(event_kind_names[k], names[k]);
        assert_true(event_kind_parse(names[k], &got));
        assert_int_equal(got, k);
    }
    assert_null(event_kind_names[EVENT_KIND_COUNT]); /* NULL-terminated */
    assert_null(event_kind_name((enum event_kind)EVENT_KIND_COUNT));
    assert_null(event_kind_name((enum event_kind) - 1));
}

static void event_kind_parse_refuses_unknown_and_leaves_out(void **state)
{
    (void)state;
    enum event_kind out = EVENT_CONFERENCE;
    assert_false(event_kind_parse("Summit", &out));
    assert_false(event_kind_parse("registrar-meeting", &out)); /* underscores, not hyphens */
    assert_false(event_kind_parse("", &out));
    assert_false(event_kind_parse("webinar", &out));
    assert_false(event_kind_parse(NULL, &out));
    assert_int_equal(out, EVENT_CONFERENCE);
}

static void registration_status_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[REGISTRATION_STATUS_COUNT] = {"confirmed", "waitlisted",
                                                                 "attended", "cancelled"};
    for (int s = 0; s < REGISTRATION_STATUS_COUNT; s++) {
        enum registration_status got = REGISTRATION_CANCELLED + 1;
        assert_string_equal(registration_status_name((enum registration_status)s), names[s]);
        assert_true(registration_status_parse(names[s], &got));
        assert_int_equal(got, s);
    }
    assert_null(registration_status_name((enum registration_status)REGISTRATION_STATUS_COUNT));
    assert_null(registration_status_name((enum registration_status) - 1));
    enum registration_status out = REGISTRATION_ATTENDED;
    assert_false(registration_status_parse("checked-in", &out));
    assert_false(registration_status_parse("Confirmed", &out));
    assert_false(registration_status_parse(NULL, &out));
    assert_int_equal(out, REGISTRATION_ATTENDED);
}

/* --- eligibility ---------------------------------------------------------- */

static void eligibility_accredited_or_a_program_code(void **state)
{
    (void)state;
    assert_true(event_eligibility_valid(EVENT_ELIGIBILITY_ACCREDITED));
    assert_true(event_eligibility_valid("accredited"));
    assert_true(event_eligibility_valid("3em1"));
    assert_true(event_eligibility_valid("co-branding-2027"));
    assert_true(event_eligibility_valid("ab")); /* the shortest code */
    char longest[41], too_long[42];
    memset(longest, 'a', 40);
    longest[40] = '\0';
    memset(too_long, 'a', 41);
    too_long[41] = '\0';
    assert_true(event_eligibility_valid(longest));
    assert_false(event_eligibility_valid(too_long));
}

static void eligibility_refuses_what_is_neither(void **state)
{
    (void)state;
    assert_false(event_eligibility_valid(NULL));
    assert_false(event_eligibility_valid(""));
    assert_false(event_eligibility_valid("a"));          /* too short */
    assert_false(event_eligibility_valid("-3em1"));      /* a leading hyphen */
    assert_false(event_eligibility_valid("Accredited")); /* upper case */
    assert_false(event_eligibility_valid("3EM1"));
    assert_false(event_eligibility_valid("3em1_comercio"));
    assert_false(event_eligibility_valid("3em1 "));
    assert_false(event_eligibility_valid("accredited:3em1"));
    assert_false(event_eligibility_valid("com\xc3\xa9rcio")); /* non-ASCII */
}

static void required_program_none_when_accredited(void **state)
{
    (void)state;
    struct event_row e = {0};
    snprintf(e.eligibility, sizeof e.eligibility, "%s", EVENT_ELIGIBILITY_ACCREDITED);
    assert_null(event_required_program(&e));
}

static void required_program_is_the_eligibility_code(void **state)
{
    (void)state;
    struct event_row e = {0};
    snprintf(e.eligibility, sizeof e.eligibility, "3em1-comercio");
    const char *p = event_required_program(&e);
    assert_non_null(p);
    assert_string_equal(p, "3em1-comercio");
    /* "accredited" only as the whole text */
    snprintf(e.eligibility, sizeof e.eligibility, "accredited-2027");
    assert_string_equal(event_required_program(&e), "accredited-2027");
}

/* --- the rules across an event's fields ----------------------------------- */

static struct event_row good_event(void)
{
    struct event_row e = {.kind = EVENT_SUMMIT, .capacity = 100, .seats_taken = 40};
    snprintf(e.starts_at, sizeof e.starts_at, "2027-05-10T09:00:00Z");
    snprintf(e.ends_at, sizeof e.ends_at, "2027-05-10T18:00:00Z");
    snprintf(e.opens_at, sizeof e.opens_at, "2027-03-01T00:00:00Z");
    snprintf(e.closes_at, sizeof e.closes_at, "2027-05-01T00:00:00Z");
    snprintf(e.eligibility, sizeof e.eligibility, "accredited");
    return e;
}

static void check_good_event_no_issue(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
}

static void check_ends_before_start(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    snprintf(e.ends_at, sizeof e.ends_at, "2027-05-09T18:00:00Z");
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 1);
    assert_string_equal(is[0].pointer, "/ends_at");
    assert_int_equal(is[0].code, ERR_BEFORE_START);
}

static void check_ends_at_start_is_an_issue(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    snprintf(e.ends_at, sizeof e.ends_at, "%s", e.starts_at);
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 1);
    assert_string_equal(is[0].pointer, "/ends_at");
    assert_int_equal(is[0].code, ERR_BEFORE_START);
}

static void check_a_fraction_of_a_second_counts(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    snprintf(e.starts_at, sizeof e.starts_at, "2027-05-10T09:00:00Z");
    snprintf(e.ends_at, sizeof e.ends_at, "2027-05-10T09:00:00.5Z");
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
    snprintf(e.starts_at, sizeof e.starts_at, "2027-05-10T09:00:00.75Z");
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 1);
    assert_string_equal(is[0].pointer, "/ends_at");
    /* across a year's end */
    snprintf(e.starts_at, sizeof e.starts_at, "2027-12-31T23:59:59.999Z");
    snprintf(e.ends_at, sizeof e.ends_at, "2028-01-01T00:00:00Z");
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
}

static void check_registration_closes_before_it_opens(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    snprintf(e.closes_at, sizeof e.closes_at, "2027-02-28T23:59:59Z");
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 1);
    assert_string_equal(is[0].pointer, "/registration_closes_at");
    assert_int_equal(is[0].code, ERR_BEFORE_OPENING);
    /* equal ends are no window */
    snprintf(e.closes_at, sizeof e.closes_at, "%s", e.opens_at);
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 1);
    assert_string_equal(is[0].pointer, "/registration_closes_at");
    assert_int_equal(is[0].code, ERR_BEFORE_OPENING);
}

static void check_window_may_close_after_the_event_starts(void **state)
{
    (void)state;
    /* no rule ties the registration window to the event's dates */
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    snprintf(e.closes_at, sizeof e.closes_at, "2027-05-10T12:00:00Z");
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
}

static void check_empty_times_have_no_rule(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    /* a window open at one end only: no limit on the other */
    e.opens_at[0] = '\0';
    snprintf(e.closes_at, sizeof e.closes_at, "2000-01-01T00:00:00Z");
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
    e = good_event();
    e.closes_at[0] = '\0';
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
    e = good_event();
    e.ends_at[0] = '\0';
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
    e = good_event();
    e.starts_at[0] = '\0';
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
}

static void check_capacity_below_seats_taken(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    e.capacity = 39;
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 1);
    assert_string_equal(is[0].pointer, "/capacity");
    assert_int_equal(is[0].code, ERR_BELOW_TAKEN);
}

static void check_capacity_equal_to_seats_taken_holds(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    e.capacity = 40;
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
}

static void check_unlimited_capacity_holds_any_seats(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    e.capacity = 0;
    e.seats_taken = 100000;
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 0);
}

static void check_every_rule_broken_in_order(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES];
    struct event_row e = good_event();
    snprintf(e.ends_at, sizeof e.ends_at, "2027-05-10T08:00:00Z");
    snprintf(e.closes_at, sizeof e.closes_at, "2027-01-01T00:00:00Z");
    e.capacity = 10;
    assert_int_equal(event_check(&e, is, EVENT_MAX_ISSUES), 3);
    assert_string_equal(is[0].pointer, "/ends_at");
    assert_int_equal(is[0].code, ERR_BEFORE_START);
    assert_string_equal(is[1].pointer, "/registration_closes_at");
    assert_int_equal(is[1].code, ERR_BEFORE_OPENING);
    assert_string_equal(is[2].pointer, "/capacity");
    assert_int_equal(is[2].code, ERR_BELOW_TAKEN);
}

static void check_writes_at_most_cap_issues(void **state)
{
    (void)state;
    struct field_issue is[EVENT_MAX_ISSUES + 1];
    memset(is, 0, sizeof is);
    struct event_row e = good_event();
    snprintf(e.ends_at, sizeof e.ends_at, "2027-05-10T08:00:00Z");
    snprintf(e.closes_at, sizeof e.closes_at, "2027-01-01T00:00:00Z");
    e.capacity = 10;
    assert_int_equal(event_check(&e, is, 1), 1);
    assert_string_equal(is[0].pointer, "/ends_at");
    assert_string_equal(is[1].pointer, ""); /* nothing past cap */
    assert_int_equal(event_check(&e, is, 2), 2);
    assert_string_equal(is[1].pointer, "/registration_closes_at");
    assert_string_equal(is[2].pointer, "");
    assert_int_equal(event_check(&e, NULL, 0), 0);
}

/* --- the registration machine --------------------------------------------- */

static unsigned registration_who(int action)
{
    return action == REGISTRATION_ACT_CHECK_IN ? STAFF : STAFF | ROLE_REGISTRAR;
}

static void registration_machine_every_edge_role_and_state(void **state)
{
    (void)state;
    static const struct edge edges[] = {
        {REGISTRATION_CONFIRMED, REGISTRATION_ACT_CANCEL, REGISTRATION_CANCELLED},
        {REGISTRATION_WAITLISTED, REGISTRATION_ACT_CANCEL, REGISTRATION_CANCELLED},
        {REGISTRATION_CONFIRMED, REGISTRATION_ACT_CHECK_IN, REGISTRATION_ATTENDED},
        {REGISTRATION_CONFIRMED, REGISTRATION_ACT_EDIT, REGISTRATION_CONFIRMED},
        {REGISTRATION_WAITLISTED, REGISTRATION_ACT_EDIT, REGISTRATION_WAITLISTED},
    };
    assert_int_equal(registration_machine.nstates, REGISTRATION_STATUS_COUNT);
    assert_int_equal(registration_machine.nactions, REGISTRATION_ACTION_COUNT);
    check_machine(&registration_machine, edges, sizeof edges / sizeof *edges, registration_who);
}

static void registration_machine_actions_named_with_their_effects(void **state)
{
    (void)state;
    static const char *const names[REGISTRATION_ACTION_COUNT] = {"cancel", "check-in", "edit"};
    for (int a = 0; a < REGISTRATION_ACTION_COUNT; a++) {
        assert_string_equal(registration_machine.actions[a].name, names[a]);
        assert_int_equal(machine_action(&registration_machine, names[a]), a);
        assert_false(registration_machine.actions[a].needs_reason);
    }
    assert_int_equal(registration_machine.actions[REGISTRATION_ACT_CANCEL].effects,
                     REGISTRATION_EFFECT_PROMOTE);
    assert_int_equal(registration_machine.actions[REGISTRATION_ACT_EDIT].effects,
                     REGISTRATION_EFFECT_PROMOTE);
    assert_int_equal(registration_machine.actions[REGISTRATION_ACT_CHECK_IN].effects, 0);
    assert_int_equal(registration_machine.actions[REGISTRATION_ACT_EDIT].to, MACHINE_SAME);
}

static void registration_registrar_may_not_check_in(void **state)
{
    (void)state;
    int to = -2;
    assert_int_equal(machine_transition(&registration_machine, REGISTRATION_CONFIRMED,
                                        REGISTRATION_ACT_CHECK_IN, ROLE_REGISTRAR, &to),
                     ST_FORBIDDEN);
    /* even from a state it could never leave: the role is answered first */
    assert_int_equal(machine_transition(&registration_machine, REGISTRATION_CANCELLED,
                                        REGISTRATION_ACT_CHECK_IN, ROLE_REGISTRAR, &to),
                     ST_FORBIDDEN);
    assert_int_equal(to, -2);
}

static void registration_allowed_actions_per_state_and_role(void **state)
{
    (void)state;
    const struct machine *m = &registration_machine;
    assert_string_equal(allowed(m, REGISTRATION_CONFIRMED, ROLE_STAFF, 0), "cancel check-in edit");
    assert_string_equal(allowed(m, REGISTRATION_CONFIRMED, ROLE_ADMIN, 0), "cancel check-in edit");
    assert_string_equal(allowed(m, REGISTRATION_CONFIRMED, ROLE_REGISTRAR, 0), "cancel edit");
    assert_string_equal(allowed(m, REGISTRATION_WAITLISTED, ROLE_STAFF, 0), "cancel edit");
    assert_string_equal(allowed(m, REGISTRATION_WAITLISTED, ROLE_REGISTRAR, 0), "cancel edit");
    for (size_t r = 0; r < NROLES; r++) {
        assert_string_equal(allowed(m, REGISTRATION_ATTENDED, roles[r], 0), "");
        assert_string_equal(allowed(m, REGISTRATION_CANCELLED, roles[r], 0), "");
    }
    assert_string_equal(allowed(m, REGISTRATION_CONFIRMED, ROLE_APPLICANT, 0), "");
    assert_string_equal(allowed(m, REGISTRATION_CONFIRMED, ROLE_TEACHER, 0), "");
    assert_string_equal(allowed(m, REGISTRATION_CONFIRMED, ROLE_PUBLIC, 0), "");
}

/* --- what the event's state rules out ------------------------------------- */

#define R_CANCEL MACHINE_BIT(REGISTRATION_ACT_CANCEL)
#define R_CHECK_IN MACHINE_BIT(REGISTRATION_ACT_CHECK_IN)
#define R_EDIT MACHINE_BIT(REGISTRATION_ACT_EDIT)

static struct registration_row reg_in(enum event_status es, bool check_in_closed)
{
    return (struct registration_row){.status = REGISTRATION_CONFIRMED,
                                     .seats = 1,
                                     .event_status = es,
                                     .event_check_in_closed = check_in_closed};
}

static void ruled_out_nothing_in_a_published_event(void **state)
{
    (void)state;
    struct registration_row r = reg_in(EVENT_PUBLISHED, false);
    assert_int_equal(registration_ruled_out(&r), 0);
    assert_string_equal(
        allowed(&registration_machine, r.status, ROLE_STAFF, registration_ruled_out(&r)),
        "cancel check-in edit");
}

static void ruled_out_check_in_once_closed_in_a_published_event(void **state)
{
    (void)state;
    struct registration_row r = reg_in(EVENT_PUBLISHED, true);
    assert_int_equal(registration_ruled_out(&r), R_CHECK_IN);
    assert_string_equal(
        allowed(&registration_machine, r.status, ROLE_STAFF, registration_ruled_out(&r)),
        "cancel edit");
}

static void ruled_out_cancel_and_edit_once_the_event_closed(void **state)
{
    (void)state;
    struct registration_row r = reg_in(EVENT_CLOSED, false);
    assert_int_equal(registration_ruled_out(&r), R_CANCEL | R_EDIT);
    assert_string_equal(
        allowed(&registration_machine, r.status, ROLE_STAFF, registration_ruled_out(&r)),
        "check-in");
    assert_string_equal(
        allowed(&registration_machine, r.status, ROLE_REGISTRAR, registration_ruled_out(&r)), "");
}

static void ruled_out_everything_in_a_closed_event_with_check_in_closed(void **state)
{
    (void)state;
    struct registration_row r = reg_in(EVENT_CLOSED, true);
    assert_int_equal(registration_ruled_out(&r), R_CANCEL | R_CHECK_IN | R_EDIT);
    assert_string_equal(
        allowed(&registration_machine, r.status, ROLE_STAFF, registration_ruled_out(&r)), "");
}

static void ruled_out_everything_in_a_draft_or_cancelled_event(void **state)
{
    (void)state;
    const enum event_status dead[] = {EVENT_DRAFT, EVENT_CANCELLED};
    for (size_t i = 0; i < 2; i++)
        for (int closed = 0; closed < 2; closed++) {
            struct registration_row r = reg_in(dead[i], closed);
            assert_int_equal(registration_ruled_out(&r), R_CANCEL | R_CHECK_IN | R_EDIT);
            r.status = REGISTRATION_WAITLISTED;
            assert_string_equal(
                allowed(&registration_machine, r.status, ROLE_STAFF, registration_ruled_out(&r)),
                "");
        }
}

static void ruled_out_depends_on_the_event_not_the_registration(void **state)
{
    (void)state;
    for (int s = 0; s < REGISTRATION_STATUS_COUNT; s++) {
        struct registration_row r = reg_in(EVENT_PUBLISHED, false);
        r.status = (enum registration_status)s;
        assert_int_equal(registration_ruled_out(&r), 0);
        r = reg_in(EVENT_CLOSED, false);
        r.status = (enum registration_status)s;
        assert_int_equal(registration_ruled_out(&r), R_CANCEL | R_EDIT);
    }
}

/* --- the waitlist's promotion --------------------------------------------- */

static void promote_all_when_capacity_unlimited(void **state)
{
    (void)state;
    const int w[] = {5, 50, 500, 1};
    assert_int_equal(registration_promotable(0, 0, w, 4), 4);
    assert_int_equal(registration_promotable(0, 100000, w, 4), 4);
}

static void promote_none_from_an_empty_waitlist(void **state)
{
    (void)state;
    assert_int_equal(registration_promotable(10, 0, NULL, 0), 0);
    assert_int_equal(registration_promotable(0, 0, NULL, 0), 0);
    const int w[] = {1};
    assert_int_equal(registration_promotable(10, 0, w, 0), 0);
}

static void promote_the_head_while_it_fits(void **state)
{
    (void)state;
    const int w[] = {2, 3, 4};
    /* 10 - 3 = 7 free: 2 and 3 fit (5), then 4 does not (5 + 4 = 9 > 7) */
    assert_int_equal(registration_promotable(10, 3, w, 3), 2);
    assert_int_equal(registration_promotable(10, 1, w, 3), 3); /* 1 + 9 = 10 */
}

static void promote_stops_at_a_head_that_does_not_fit(void **state)
{
    (void)state;
    /* 2 free: the head wants 3; the 1 and 1 behind it would fit but do not jump */
    const int w[] = {3, 1, 1};
    assert_int_equal(registration_promotable(10, 8, w, 3), 0);
    /* further down: 1 fits, 4 does not, the 1 behind it stays */
    const int v[] = {1, 4, 1};
    assert_int_equal(registration_promotable(10, 7, v, 3), 1);
}

static void promote_an_exact_fit(void **state)
{
    (void)state;
    const int w[] = {3, 1};
    assert_int_equal(registration_promotable(10, 7, w, 1), 1);
    assert_int_equal(registration_promotable(10, 7, w, 2), 1); /* full after the head */
    const int v[] = {2, 2, 2};
    assert_int_equal(registration_promotable(6, 0, v, 3), 3);
}

static void promote_none_when_full_or_over(void **state)
{
    (void)state;
    const int w[] = {1, 1};
    assert_int_equal(registration_promotable(10, 10, w, 2), 0);
    assert_int_equal(registration_promotable(10, 12, w, 2), 0); /* a capacity lowered */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_machine_every_edge_role_and_state),
        cmocka_unit_test(event_machine_actions_named_with_their_effects),
        cmocka_unit_test(event_machine_outside_states_and_actions_invalid),
        cmocka_unit_test(event_machine_role_answered_before_state),
        cmocka_unit_test(event_allowed_actions_per_state_and_role),
        cmocka_unit_test(event_status_names_round_trip),
        cmocka_unit_test(event_status_parse_refuses_unknown_and_leaves_out),
        cmocka_unit_test(event_kind_names_round_trip),
        cmocka_unit_test(event_kind_parse_refuses_unknown_and_leaves_out),
        cmocka_unit_test(registration_status_names_round_trip),
        cmocka_unit_test(eligibility_accredited_or_a_program_code),
        cmocka_unit_test(eligibility_refuses_what_is_neither),
        cmocka_unit_test(required_program_none_when_accredited),
        cmocka_unit_test(required_program_is_the_eligibility_code),
        cmocka_unit_test(check_good_event_no_issue),
        cmocka_unit_test(check_ends_before_start),
        cmocka_unit_test(check_ends_at_start_is_an_issue),
        cmocka_unit_test(check_a_fraction_of_a_second_counts),
        cmocka_unit_test(check_registration_closes_before_it_opens),
        cmocka_unit_test(check_window_may_close_after_the_event_starts),
        cmocka_unit_test(check_empty_times_have_no_rule),
        cmocka_unit_test(check_capacity_below_seats_taken),
        cmocka_unit_test(check_capacity_equal_to_seats_taken_holds),
        cmocka_unit_test(check_unlimited_capacity_holds_any_seats),
        cmocka_unit_test(check_every_rule_broken_in_order),
        cmocka_unit_test(check_writes_at_most_cap_issues),
        cmocka_unit_test(registration_machine_every_edge_role_and_state),
        cmocka_unit_test(registration_machine_actions_named_with_their_effects),
        cmocka_unit_test(registration_registrar_may_not_check_in),
        cmocka_unit_test(registration_allowed_actions_per_state_and_role),
        cmocka_unit_test(ruled_out_nothing_in_a_published_event),
        cmocka_unit_test(ruled_out_check_in_once_closed_in_a_published_event),
        cmocka_unit_test(ruled_out_cancel_and_edit_once_the_event_closed),
        cmocka_unit_test(ruled_out_everything_in_a_closed_event_with_check_in_closed),
        cmocka_unit_test(ruled_out_everything_in_a_draft_or_cancelled_event),
        cmocka_unit_test(ruled_out_depends_on_the_event_not_the_registration),
        cmocka_unit_test(promote_all_when_capacity_unlimited),
        cmocka_unit_test(promote_none_from_an_empty_waitlist),
        cmocka_unit_test(promote_the_head_while_it_fits),
        cmocka_unit_test(promote_stops_at_a_head_that_does_not_fit),
        cmocka_unit_test(promote_an_exact_fit),
        cmocka_unit_test(promote_none_when_full_or_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
