/* CSV exports' text (csv.h): Accept negotiation by quality then exactness,
 * cells (null empty, numbers and booleans as JSON, objects and arrays as
 * compact JSON, formulas neutralized), RFC 4180 quoting, CRLF, the header
 * from the first item and empty cells for what a later item lacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "csv.h"

#include <stdlib.h>
#include <string.h>

static void negotiation(void **state)
{
    (void)state;
    const char *yes[] = {"text/csv",
                         "TEXT/CSV",
                         "text/csv, application/json;q=0.9",
                         "application/json;q=0.1, text/csv",
                         "text/csv, */*",
                         "text/*",
                         "text/csv; charset=utf-8",
                         " text/csv ;q=0.8, */*;q=0.5"};
    const char *no[] = {NULL,
                        "",
                        "*/*",
                        "application/json",
                        "text/csv;q=0",
                        "text/csv;q=0.5, application/json",
                        "text/csv, application/json",
                        "text/csvx",
                        "text/plain",
                        "application/*, text/*"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        assert_true(csv_preferred(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(csv_preferred(no[i]));
}

static void expect_cell(json_t *v, const char *want)
{
    char *got = csv_cell(v);
    assert_string_equal(got, want);
    free(got);
    json_decref(v);
}

static void cells(void **state)
{
    (void)state;
    char *empty = csv_cell(NULL);
    assert_string_equal(empty, "");
    free(empty);
    expect_cell(json_null(), "");
    expect_cell(json_string(""), "");
    expect_cell(json_string("Açores Domínios"), "Açores Domínios");
    expect_cell(json_integer(42), "42");
    expect_cell(json_integer(-3), "'-3");
    expect_cell(json_true(), "true");
    expect_cell(json_pack("{s:s, s:[i, n]}", "city", "Évora", "n", 1),
                "{\"city\":\"Évora\",\"n\":[1,null]}");
    expect_cell(json_pack("[s, s]", "approve", "edit"), "[\"approve\",\"edit\"]");
    const char *formulas[] = {"=1+1", "+351", "-x", "@SUM(A1)", "\tx", "\rx"};
    for (size_t i = 0; i < sizeof formulas / sizeof *formulas; i++) {
        char *want = malloc(strlen(formulas[i]) + 2);
        want[0] = '\'';
        strcpy(want + 1, formulas[i]);
        expect_cell(json_string(formulas[i]), want);
        free(want);
    }
    expect_cell(json_string("a=b"), "a=b");
}

static void rows(void **state)
{
    (void)state;
    struct csv c;
    csv_init(&c);
    json_t *a = json_pack("{s:s, s:s, s:n, s:{s:s}}", "id", "1", "name", "Lisboa, \"Lda\"",
                          "reason", "address", "city", "Porto");
    json_t *b = json_pack("{s:s, s:s, s:s}", "id", "2", "name", "linha\r\nnova", "extra", "x");
    csv_add(&c, a);
    csv_add(&c, b);
    assert_int_equal(c.rows, 2);
    assert_string_equal(c.text, "id,name,reason,address\r\n"
                                "1,\"Lisboa, \"\"Lda\"\"\",,\"{\"\"city\"\":\"\"Porto\"\"}\"\r\n"
                                "2,\"linha\r\nnova\",,\r\n");
    assert_int_equal(c.len, strlen(c.text));
    json_decref(a);
    json_decref(b);
    csv_cleanup(&c);
    csv_init(&c);
    assert_string_equal(c.text, "");
    csv_cleanup(&c);
}

/* Columns known before the rows: the header is written at once (an empty
 * export has it too), and rows follow those columns, not their own. */
static void columns_first(void **state)
{
    (void)state;
    struct csv c;
    csv_init(&c);
    json_t *columns = json_pack("[s, s]", "respondent", "q1");
    csv_columns(&c, columns);
    assert_string_equal(c.text, "respondent,q1\r\n");
    assert_int_equal(c.rows, 0);
    json_t *row = json_pack("{s:s, s:s, s:i}", "q1", "@x", "respondent", "ab", "extra", 1);
    csv_add(&c, row);
    assert_string_equal(c.text, "respondent,q1\r\nab,'@x\r\n");
    json_decref(row);
    json_decref(columns);
    csv_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(negotiation),
        cmocka_unit_test(cells),
        cmocka_unit_test(rows),
        cmocka_unit_test(columns_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
