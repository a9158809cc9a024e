/* SIGA proposals and comments, pure: both machines against their tables in
 * siga.h (each state, action and role), the actions each role is offered,
 * who is an author, who may edit (the author only) and when (a comment's
 * 15-minute window), and the names of areas and states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "machine.h"
#include "role.h"
#include "siga.h"

#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define REG "11111111-2222-4333-8444-555555555555"
#define OTHER "99999999-8888-4777-8666-555555555555"

static const unsigned every_role[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                      ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};

/* One action of a table: who, from which states, to which (-1: the same). */
struct rule {
    int action;
    unsigned who;
    unsigned from;
    int to;
};

/* Asks the machine every state × action × role, and checks each answer
 * against the rules written out in the test. */
static void machine_is(const struct machine *m, const struct rule *rules, size_t nrules)
{
    assert_int_equal(m->nactions, nrules);
    for (size_t i = 0; i < nrules; i++) {
        const struct rule *r = &rules[i];
        for (size_t s = 0; s < m->nstates; s++)
            for (size_t k = 0; k < sizeof every_role / sizeof *every_role; k++) {
                unsigned role = every_role[k];
                int to = -5;
                enum status got = machine_transition(m, (int)s, r->action, role, &to);
                if ((r->who & role) == 0) {
                    assert_int_equal(got, ST_FORBIDDEN);
                } else if ((r->from & MACHINE_BIT(s)) == 0) {
                    assert_int_equal(got, ST_INVALID_STATE);
                } else {
                    assert_int_equal(got, ST_OK);
                    assert_int_equal(to, r->to < 0 ? (int)s : r->to);
                }
            }
    }
}

static void proposal_machine_is_its_table(void **state)
{
    (void)state;
    const unsigned voting = MACHINE_BIT(SIGA_OPEN) | MACHINE_BIT(SIGA_UNDER_CONSIDERATION);
    const struct rule rules[] = {
        {SIGA_ACT_CONSIDER, STAFF, MACHINE_BIT(SIGA_OPEN), SIGA_UNDER_CONSIDERATION},
        {SIGA_ACT_PLAN, STAFF, MACHINE_BIT(SIGA_UNDER_CONSIDERATION), SIGA_PLANNED},
        {SIGA_ACT_COMPLETE, STAFF, MACHINE_BIT(SIGA_PLANNED), SIGA_DONE},
        {SIGA_ACT_DECLINE, STAFF, voting | MACHINE_BIT(SIGA_PLANNED), SIGA_DECLINED},
        {SIGA_ACT_VOTE, ROLE_REGISTRAR, voting, -1},
        {SIGA_ACT_UNVOTE, ROLE_REGISTRAR, voting, -1},
        {SIGA_ACT_EDIT, STAFF | ROLE_REGISTRAR, MACHINE_BIT(SIGA_OPEN), -1},
    };
    machine_is(&siga_proposal_machine, rules, sizeof rules / sizeof *rules);
}

static void proposal_actions_are_named_with_their_effects(void **state)
{
    (void)state;
    const struct machine *m = &siga_proposal_machine;
    const char *names[] = {"consider", "plan", "complete", "decline", "vote", "unvote", "edit"};
    for (int i = 0; i < SIGA_ACTION_COUNT; i++)
        assert_int_equal(machine_action(m, names[i]), i);
    for (int a = SIGA_ACT_CONSIDER; a <= SIGA_ACT_DECLINE; a++)
        assert_int_equal(m->actions[a].effects, SIGA_EFFECT_NOTE);
    assert_int_equal(m->actions[SIGA_ACT_VOTE].effects, SIGA_EFFECT_VOTE);
    assert_int_equal(m->actions[SIGA_ACT_UNVOTE].effects, SIGA_EFFECT_UNVOTE);
    assert_int_equal(m->actions[SIGA_ACT_EDIT].effects, SIGA_EFFECT_MINE);
    /* the note is the action's own body: never the kit's reason */
    for (int i = 0; i < SIGA_ACTION_COUNT; i++)
        assert_false(m->actions[i].needs_reason);
}

static void comment_machine_is_its_table(void **state)
{
    (void)state;
    const struct rule rules[] = {
        {SIGA_COMMENT_ACT_HIDE, STAFF, MACHINE_BIT(SIGA_COMMENT_VISIBLE), SIGA_COMMENT_HIDDEN},
        {SIGA_COMMENT_ACT_EDIT, STAFF | ROLE_REGISTRAR, MACHINE_BIT(SIGA_COMMENT_VISIBLE), -1},
    };
    machine_is(&siga_comment_machine, rules, sizeof rules / sizeof *rules);
    assert_true(siga_comment_machine.actions[SIGA_COMMENT_ACT_HIDE].needs_reason);
    assert_false(siga_comment_machine.actions[SIGA_COMMENT_ACT_EDIT].needs_reason);
}

/* What machine_allowed offers, as one string. */
static const char *offered(const struct machine *m, int s, unsigned role)
{
    static char out[96];
    const char *names[8];
    size_t n = machine_allowed(m, s, role, 0, names, 8);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(out, i ? " " : "");
        strcat(out, names[i]);
    }
    return out;
}

static void each_role_is_offered_its_actions(void **state)
{
    (void)state;
    const struct machine *m = &siga_proposal_machine;
    assert_string_equal(offered(m, SIGA_OPEN, ROLE_STAFF), "consider decline edit");
    assert_string_equal(offered(m, SIGA_OPEN, ROLE_REGISTRAR), "vote unvote edit");
    assert_string_equal(offered(m, SIGA_UNDER_CONSIDERATION, ROLE_ADMIN), "plan decline");
    assert_string_equal(offered(m, SIGA_UNDER_CONSIDERATION, ROLE_REGISTRAR), "vote unvote");
    assert_string_equal(offered(m, SIGA_PLANNED, ROLE_STAFF), "complete decline");
    assert_string_equal(offered(m, SIGA_PLANNED, ROLE_REGISTRAR), "");
    assert_string_equal(offered(m, SIGA_DONE, ROLE_STAFF), "");
    assert_string_equal(offered(m, SIGA_DECLINED, ROLE_REGISTRAR), "");
    assert_string_equal(offered(m, SIGA_OPEN, ROLE_PUBLIC), "");
    assert_string_equal(offered(m, SIGA_OPEN, ROLE_APPLICANT), "");
    assert_string_equal(offered(&siga_comment_machine, SIGA_COMMENT_VISIBLE, ROLE_STAFF),
                        "hide edit");
    assert_string_equal(offered(&siga_comment_machine, SIGA_COMMENT_HIDDEN, ROLE_STAFF), "");
}

static void an_author_is_a_registrar_or_staff_as_one(void **state)
{
    (void)state;
    assert_true(siga_is_author(ROLE_REGISTRAR, REG, REG));
    assert_false(siga_is_author(ROLE_REGISTRAR, OTHER, REG));
    assert_false(siga_is_author(ROLE_REGISTRAR, REG, ""));   /* staff's */
    assert_false(siga_is_author(ROLE_REGISTRAR, NULL, REG)); /* no claim */
    assert_true(siga_is_author(ROLE_STAFF, NULL, ""));
    assert_true(siga_is_author(ROLE_ADMIN, NULL, "")); /* admin is staff */
    assert_false(siga_is_author(ROLE_STAFF, NULL, REG));
    assert_false(siga_is_author(ROLE_APPLICANT, NULL, ""));
    assert_false(siga_is_author(ROLE_PUBLIC, NULL, ""));
}

static struct siga_proposal_row proposal_by(const char *author)
{
    struct siga_proposal_row p = {.status = SIGA_OPEN};
    strcpy(p.author_registrar_id, author);
    return p;
}

static void only_its_author_edits_a_proposal(void **state)
{
    (void)state;
    struct siga_proposal_row mine = proposal_by(REG), staffs = proposal_by("");
    assert_int_equal(siga_proposal_may(&mine, SIGA_ACT_EDIT, ROLE_REGISTRAR, REG), ST_OK);
    assert_int_equal(siga_proposal_may(&mine, SIGA_ACT_EDIT, ROLE_REGISTRAR, OTHER), ST_FORBIDDEN);
    assert_int_equal(siga_proposal_may(&mine, SIGA_ACT_EDIT, ROLE_STAFF, NULL), ST_FORBIDDEN);
    assert_int_equal(siga_proposal_may(&staffs, SIGA_ACT_EDIT, ROLE_STAFF, NULL), ST_OK);
    assert_int_equal(siga_proposal_may(&staffs, SIGA_ACT_EDIT, ROLE_REGISTRAR, REG), ST_FORBIDDEN);
    /* every other action is the machine's alone: anyone it lets may vote or decide */
    assert_int_equal(siga_proposal_may(&mine, SIGA_ACT_VOTE, ROLE_REGISTRAR, OTHER), ST_OK);
    assert_int_equal(siga_proposal_may(&mine, SIGA_ACT_CONSIDER, ROLE_STAFF, NULL), ST_OK);
}

static struct siga_comment_row comment_by(const char *author, bool in_window,
                                          enum siga_comment_status status)
{
    struct siga_comment_row c = {.in_window = in_window, .status = status};
    strcpy(c.author_registrar_id, author);
    return c;
}

static void a_comment_is_its_author_s_for_15_minutes(void **state)
{
    (void)state;
    const char *rule = NULL;
    struct siga_comment_row fresh = comment_by(REG, true, SIGA_COMMENT_VISIBLE);
    struct siga_comment_row old = comment_by(REG, false, SIGA_COMMENT_VISIBLE);
    assert_int_equal(siga_comment_may(&fresh, SIGA_COMMENT_ACT_EDIT, ROLE_REGISTRAR, REG, &rule),
                     ST_OK);
    assert_null(rule);
    assert_int_equal(siga_comment_may(&old, SIGA_COMMENT_ACT_EDIT, ROLE_REGISTRAR, REG, &rule),
                     ST_WINDOW_CLOSED);
    assert_string_equal(rule, SIGA_RULE_EDIT_WINDOW);
    assert_string_equal(SIGA_RULE_EDIT_WINDOW, "edit-window-closed");
    /* no rule to report where none is asked for */
    assert_int_equal(siga_comment_may(&old, SIGA_COMMENT_ACT_EDIT, ROLE_REGISTRAR, REG, NULL),
                     ST_WINDOW_CLOSED);
    assert_int_equal(SIGA_EDIT_WINDOW_MINUTES, 15);
}

static void who_comes_before_when(void **state)
{
    (void)state;
    const char *rule = NULL;
    struct siga_comment_row old = comment_by(REG, false, SIGA_COMMENT_VISIBLE);
    /* another author is refused as such, whatever the time */
    assert_int_equal(siga_comment_may(&old, SIGA_COMMENT_ACT_EDIT, ROLE_REGISTRAR, OTHER, &rule),
                     ST_FORBIDDEN);
    assert_int_equal(siga_comment_may(&old, SIGA_COMMENT_ACT_EDIT, ROLE_STAFF, NULL, &rule),
                     ST_FORBIDDEN);
    assert_null(rule);
    /* a hidden comment is the machine's refusal (its state), not the window's */
    struct siga_comment_row hidden = comment_by(REG, false, SIGA_COMMENT_HIDDEN);
    assert_int_equal(siga_comment_may(&hidden, SIGA_COMMENT_ACT_EDIT, ROLE_REGISTRAR, REG, &rule),
                     ST_OK);
    /* staff hide any comment, at any age */
    assert_int_equal(siga_comment_may(&old, SIGA_COMMENT_ACT_HIDE, ROLE_STAFF, NULL, &rule), ST_OK);
    struct siga_comment_row staffs = comment_by("", true, SIGA_COMMENT_VISIBLE);
    assert_int_equal(siga_comment_may(&staffs, SIGA_COMMENT_ACT_EDIT, ROLE_ADMIN, NULL, &rule),
                     ST_OK);
}

static void names_round_trip_and_unknown_ones_are_refused(void **state)
{
    (void)state;
    for (int i = 0; i < SIGA_AREA_COUNT; i++) {
        enum siga_area a = SIGA_AREA_OTHER;
        assert_true(siga_area_parse(siga_area_name((enum siga_area)i), &a));
        assert_int_equal(a, i);
    }
    assert_null(siga_area_names[SIGA_AREA_COUNT]);
    assert_null(siga_area_name((enum siga_area)SIGA_AREA_COUNT));
    for (int i = 0; i < SIGA_STATUS_COUNT; i++) {
        enum siga_status s = SIGA_DECLINED;
        assert_true(siga_status_parse(siga_status_name((enum siga_status)i), &s));
        assert_int_equal(s, i);
    }
    enum siga_area a = SIGA_AREA_DNS;
    enum siga_status s = SIGA_PLANNED;
    enum siga_comment_status c = SIGA_COMMENT_HIDDEN;
    assert_false(siga_area_parse("sales", &a));
    assert_false(siga_area_parse(NULL, &a));
    assert_false(siga_status_parse("closed", &s));
    assert_false(siga_comment_status_parse("deleted", &c));
    assert_int_equal(a, SIGA_AREA_DNS); /* untouched when refused */
    assert_int_equal(s, SIGA_PLANNED);
    assert_int_equal(c, SIGA_COMMENT_HIDDEN);
    assert_true(siga_comment_status_parse("visible", &c));
    assert_int_equal(c, SIGA_COMMENT_VISIBLE);
    assert_string_equal(siga_status_name(SIGA_UNDER_CONSIDERATION), "under_consideration");
    assert_null(siga_status_name((enum siga_status)SIGA_STATUS_COUNT));
    assert_null(siga_comment_status_name((enum siga_comment_status)SIGA_COMMENT_STATUS_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proposal_machine_is_its_table),
        cmocka_unit_test(proposal_actions_are_named_with_their_effects),
        cmocka_unit_test(comment_machine_is_its_table),
        cmocka_unit_test(each_role_is_offered_its_actions),
        cmocka_unit_test(an_author_is_a_registrar_or_staff_as_one),
        cmocka_unit_test(only_its_author_edits_a_proposal),
        cmocka_unit_test(a_comment_is_its_author_s_for_15_minutes),
        cmocka_unit_test(who_comes_before_when),
        cmocka_unit_test(names_round_trip_and_unknown_ones_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
