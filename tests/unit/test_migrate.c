/* The marks of a migration: the exact lines `-- parceria: expand` and
 * `-- parceria: contract`, as tests/http/test_rolling_deploy.py reads them
 * in the files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "migrate.h"

static void expand_is_a_line_of_its_own(void **state)
{
    (void)state;
    assert_true(migrate_is_expand("-- parceria: expand\nCREATE TABLE t (id int);\n"));
    assert_true(migrate_is_expand("-- What it adds.\n-- parceria: expand\nCREATE TABLE t ();"));
    assert_true(migrate_is_expand("CREATE TABLE t ();\n-- parceria: expand"));
    assert_true(migrate_is_expand("-- parceria: expand  \r\nSELECT 1;"));
}

static void anything_else_is_not_expand(void **state)
{
    (void)state;
    assert_false(migrate_is_expand(""));
    assert_false(migrate_is_expand("-- parceria: contract\nDROP TABLE t;"));
    assert_false(migrate_is_expand("-- parceria: expanded\n"));
    assert_false(migrate_is_expand(" -- parceria: expand\n"));
    assert_false(migrate_is_expand("SELECT 1; -- parceria: expand\n"));
    assert_false(migrate_is_expand("-- Parceria: Expand\n"));
}

static void contract_is_a_line_of_its_own(void **state)
{
    (void)state;
    assert_true(migrate_is_contract("-- parceria: contract\nDROP TABLE t;\n"));
    assert_true(migrate_is_contract("-- Drops t.\n-- parceria: contract \r\nDROP TABLE t;"));
    assert_false(migrate_is_contract("-- parceria: expand\nCREATE TABLE t ();"));
    assert_false(migrate_is_contract("-- parceria: contracts\n"));
    assert_false(migrate_is_contract("DROP TABLE t; -- parceria: contract\n"));
    assert_false(migrate_is_expand("-- parceria: contract\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expand_is_a_line_of_its_own),
        cmocka_unit_test(anything_else_is_not_expand),
        cmocka_unit_test(contract_is_a_line_of_its_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
