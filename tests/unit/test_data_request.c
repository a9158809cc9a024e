/* Data-subject requests, pure: the machine edge by edge for every role, the
 * one extension (ruled out once extended), the kind and status names both
 * ways; and the shape of the table of personal-data locations and of the
 * retention rules (each row complete, its SQL taking the email or the time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "data_request.h"
#include "machine.h"
#include "role.h"
#include "store_personal_data.h"

#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
#define NROLES (sizeof roles / sizeof *roles)
#define STAFF (ROLE_STAFF | ROLE_ADMIN)

/* The table, written out: (from, action) -> to (MACHINE_SAME: stays), -2: refused. */
static int edge(int from, int action)
{
    if (from != DATA_REQUEST_OPEN)
        return -2;
    switch (action) {
    case DATA_REQUEST_ACT_EXTEND:
        return DATA_REQUEST_OPEN;
    case DATA_REQUEST_ACT_FULFIL:
        return DATA_REQUEST_FULFILLED;
    case DATA_REQUEST_ACT_REJECT:
        return DATA_REQUEST_REJECTED;
    }
    return -2;
}

static void machine_edges(void **state)
{
    (void)state;
    for (size_t r = 0; r < NROLES; r++)
        for (int from = 0; from < DATA_REQUEST_STATUS_COUNT; from++)
            for (int a = 0; a < DATA_REQUEST_ACTION_COUNT; a++) {
                int to = -3;
                enum status st = machine_transition(&data_request_machine, from, a, roles[r], &to);
                if (!(roles[r] & STAFF)) {
                    assert_int_equal(st, ST_FORBIDDEN);
                    continue;
                }
                int want = edge(from, a);
                if (want == -2) {
                    assert_int_equal(st, ST_INVALID_STATE);
                    continue;
                }
                assert_int_equal(st, ST_OK);
                assert_int_equal(to == MACHINE_SAME ? from : to, want);
            }
}

static void reasons_and_effects(void **state)
{
    (void)state;
    const struct machine_action *a = data_request_machine.actions;
    assert_true(a[DATA_REQUEST_ACT_REJECT].needs_reason);
    assert_false(a[DATA_REQUEST_ACT_FULFIL].needs_reason);
    assert_int_equal(a[DATA_REQUEST_ACT_EXTEND].to, MACHINE_SAME);
    assert_int_equal(a[DATA_REQUEST_ACT_EXTEND].effects, DATA_REQUEST_EFFECT_EXTEND);
    assert_int_equal(a[DATA_REQUEST_ACT_FULFIL].effects, DATA_REQUEST_EFFECT_ERASE);
    assert_string_equal(a[DATA_REQUEST_ACT_EXTEND].name, "extend");
    assert_string_equal(a[DATA_REQUEST_ACT_FULFIL].name, "fulfil");
    assert_string_equal(a[DATA_REQUEST_ACT_REJECT].name, "reject");
}

static void extension_once(void **state)
{
    (void)state;
    struct data_request_row row = {.status = DATA_REQUEST_OPEN};
    assert_int_equal(data_request_ruled_out(&row), 0);
    row.extended = true;
    assert_int_equal(data_request_ruled_out(&row), MACHINE_BIT(DATA_REQUEST_ACT_EXTEND));
    const char *names[4];
    size_t n = machine_allowed(&data_request_machine, DATA_REQUEST_OPEN, ROLE_STAFF,
                               data_request_ruled_out(&row), names, 4);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "fulfil");
    assert_string_equal(names[1], "reject");
}

static void names(void **state)
{
    (void)state;
    const char *kinds[] = {"access", "erasure", "rectification"};
    for (int i = 0; i < DATA_REQUEST_KIND_COUNT; i++) {
        enum data_request_kind k;
        assert_string_equal(data_request_kind_name((enum data_request_kind)i), kinds[i]);
        assert_true(data_request_kind_parse(kinds[i], &k));
        assert_int_equal(k, i);
    }
    enum data_request_kind k;
    assert_false(data_request_kind_parse("Access", &k));
    assert_false(data_request_kind_parse("", &k));
    assert_false(data_request_kind_parse(NULL, &k));
    assert_false(data_request_kind_valid("portability"));
    assert_null(data_request_kind_name(DATA_REQUEST_KIND_COUNT));
    const char *states[] = {"open", "fulfilled", "rejected"};
    for (int i = 0; i < DATA_REQUEST_STATUS_COUNT; i++) {
        enum data_request_status s;
        assert_string_equal(data_request_status_name((enum data_request_status)i), states[i]);
        assert_true(data_request_status_parse(states[i], &s));
        assert_int_equal(s, i);
    }
    enum data_request_status s;
    assert_false(data_request_status_parse("closed", &s));
}

static void locations_complete(void **state)
{
    (void)state;
    size_t n = 0;
    for (const struct personal_location *l = store_personal_locations; l->table; l++, n++) {
        assert_non_null(l->columns);
        assert_true(strlen(l->columns) > 0);
        assert_non_null(l->what);
        assert_non_null(l->find);
        assert_non_null(strstr(l->find, "$1"));
        assert_non_null(strstr(l->find, l->table));
        if (l->erase != NULL) {
            assert_non_null(strstr(l->erase, "$1"));
            assert_non_null(strstr(l->erase, "RETURNING"));
            assert_int_equal(strncmp(l->erase, "UPDATE ", 7), 0);
            assert_int_equal(strncmp(l->erase + 7, l->table, strlen(l->table)), 0);
        }
    }
    assert_true(n >= 10);
    for (const struct personal_not *p = store_personal_not; p->table; p++) {
        assert_non_null(p->column);
        assert_non_null(p->why);
        for (const struct personal_location *l = store_personal_locations; l->table; l++)
            assert_false(strcmp(l->table, p->table) == 0 && strstr(l->columns, p->column) != NULL);
    }
    for (const struct retention_rule *r = store_retention_rules; r->table; r++) {
        assert_non_null(strstr(r->count, "$1::timestamptz"));
        assert_non_null(strstr(r->apply, "$1::timestamptz"));
        assert_non_null(strstr(r->apply, "RETURNING"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_edges),      cmocka_unit_test(reasons_and_effects),
        cmocka_unit_test(extension_once),     cmocka_unit_test(names),
        cmocka_unit_test(locations_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
