/* Contacts, pure: the topic's shape, the contact requests' machine edge by
 * edge for every role (what machine_allowed lists for each), the
 * mailboxes' one action (staff's edit, in either state) and the status
 * names both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "contact.h"
#include "machine.h"
#include "role.h"

#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
#define NROLES (sizeof roles / sizeof *roles)
#define STAFF (ROLE_STAFF | ROLE_ADMIN)

static void topics(void **state)
{
    (void)state;
    const char *good[] = {
        "general",  "3em1", "newsletter", "news",
        "security", "a",    "a-b-9",      "0123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!contact_topic_valid(good[i]))
            fail_msg("\"%s\" refused", good[i]);
    const char *bad[] = {"",
                         "General",
                         "geral ",
                         "caixa_1",
                         "tema/1",
                         "ç",
                         "3em1\n",
                         "a.b",
                         "..",
                         "%2F",
                         "01234567890123456789012345678901234567890"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (contact_topic_valid(bad[i]))
            fail_msg("\"%s\" accepted", bad[i]);
    assert_false(contact_topic_valid(NULL));
}

/* The requests' table, written out: (from, action) -> to, staff only. */
static int request_edge(int from, int action)
{
    if (action == CONTACT_REQUEST_ACT_ANSWER && from == CONTACT_REQUEST_OPEN)
        return CONTACT_REQUEST_ANSWERED;
    if (action == CONTACT_REQUEST_ACT_CLOSE &&
        (from == CONTACT_REQUEST_OPEN || from == CONTACT_REQUEST_ANSWERED))
        return CONTACT_REQUEST_CLOSED;
    return -1;
}

static void request_machine(void **state)
{
    (void)state;
    const struct machine *m = &contact_request_machine;
    assert_int_equal(m->nstates, CONTACT_REQUEST_STATUS_COUNT);
    assert_int_equal(m->nactions, CONTACT_REQUEST_ACTION_COUNT);
    for (int s = 0; s < (int)m->nstates; s++)
        for (int a = 0; a < (int)m->nactions; a++)
            for (size_t r = 0; r < NROLES; r++) {
                int to = -2, want = request_edge(s, a);
                enum status st = machine_transition(m, s, a, roles[r], &to);
                if (!(roles[r] & STAFF))
                    assert_int_equal(st, ST_FORBIDDEN);
                else if (want < 0)
                    assert_int_equal(st, ST_INVALID_STATE);
                else
                    assert_true(st == ST_OK && to == want);
            }
    /* only answer keeps a note, and nothing needs a reason */
    assert_int_equal(m->actions[CONTACT_REQUEST_ACT_ANSWER].effects, CONTACT_REQUEST_EFFECT_NOTE);
    assert_int_equal(m->actions[CONTACT_REQUEST_ACT_CLOSE].effects, 0);
    for (size_t a = 0; a < m->nactions; a++)
        assert_false(m->actions[a].needs_reason);
    assert_int_equal(machine_action(m, "answer"), CONTACT_REQUEST_ACT_ANSWER);
    assert_int_equal(machine_action(m, "close"), CONTACT_REQUEST_ACT_CLOSE);
    assert_int_equal(machine_action(m, "reopen"), -1);
}

static void allowed_actions(void **state)
{
    (void)state;
    const struct machine *m = &contact_request_machine;
    const char *names[4];
    size_t n = machine_allowed(m, CONTACT_REQUEST_OPEN, ROLE_STAFF, 0, names, 4);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "answer");
    assert_string_equal(names[1], "close");
    n = machine_allowed(m, CONTACT_REQUEST_ANSWERED, ROLE_ADMIN, 0, names, 4);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "close");
    assert_int_equal(machine_allowed(m, CONTACT_REQUEST_CLOSED, ROLE_STAFF, 0, names, 4), 0);
    assert_int_equal(machine_allowed(m, CONTACT_REQUEST_OPEN, ROLE_REGISTRAR, 0, names, 4), 0);
    assert_int_equal(machine_allowed(m, CONTACT_REQUEST_OPEN, ROLE_PUBLIC, 0, names, 4), 0);
}

static void mailbox_machine(void **state)
{
    (void)state;
    const struct machine *m = &contact_mailbox_machine;
    for (int s = 0; s < CONTACT_MAILBOX_STATE_COUNT; s++)
        for (size_t r = 0; r < NROLES; r++) {
            int to = -2;
            enum status st = machine_transition(m, s, CONTACT_MAILBOX_ACT_EDIT, roles[r], &to);
            if (roles[r] & STAFF)
                assert_true(st == ST_OK && to == s);
            else
                assert_int_equal(st, ST_FORBIDDEN);
        }
    struct contact_mailbox_row row = {.active = true};
    assert_int_equal(contact_mailbox_state(&row), CONTACT_MAILBOX_ACTIVE);
    row.active = false;
    assert_int_equal(contact_mailbox_state(&row), CONTACT_MAILBOX_INACTIVE);
    assert_string_equal(m->states[CONTACT_MAILBOX_ACTIVE], "active");
}

static void status_names(void **state)
{
    (void)state;
    const char *names[] = {"open", "answered", "closed"};
    for (int i = 0; i < CONTACT_REQUEST_STATUS_COUNT; i++) {
        enum contact_request_status s;
        assert_string_equal(contact_request_status_name((enum contact_request_status)i), names[i]);
        assert_true(contact_request_status_parse(names[i], &s));
        assert_int_equal(s, i);
    }
    enum contact_request_status s = CONTACT_REQUEST_OPEN;
    assert_false(contact_request_status_parse("pending", &s));
    assert_false(contact_request_status_parse(NULL, &s));
    assert_null(
        contact_request_status_name((enum contact_request_status)CONTACT_REQUEST_STATUS_COUNT));
}

static void row_cleanup(void **state)
{
    (void)state;
    struct contact_request_row r = {0};
    r.message = strdup("Olá");
    r.note = strdup("Respondido");
    contact_request_row_cleanup(&r);
    assert_null(r.message);
    assert_null(r.note);
    contact_request_row_cleanup(&r); /* twice is harmless */
    struct contact_mailbox_row m = {.name =
                                        json_pack("{s:s, s:s}", "pt", "Geral", "en", "General")};
    contact_mailbox_row_cleanup(&m);
    assert_null(m.name);
    assert_null(m.description);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(topics),          cmocka_unit_test(request_machine),
        cmocka_unit_test(allowed_actions), cmocka_unit_test(mailbox_machine),
        cmocka_unit_test(status_names),    cmocka_unit_test(row_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
