/* The satisfaction survey, pure: its machine edge by edge, the rule that
 * opening needs a question, the rules of questions, what an open survey
 * freezes, the answer validator code by code, the aggregates (mean, NPS,
 * distribution, options, texts) and their suppression, the pseudonym and
 * the export's rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "machine.h"
#include "role.h"
#include "survey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (v == NULL)
        fail_msg("bad test JSON: %s", err.text);
    return v;
}

/* Two scales (1..5 required, 0..10), a multiple and a single choice, a
 * text of at most 10 characters. */
static json_t *questions(void)
{
    json_t *q = parse(
        "[{\"id\":\"geral\",\"kind\":\"scale\",\"min\":1,\"max\":5,\"required\":true},"
        "{\"id\":\"nps\",\"kind\":\"scale\",\"min\":0,\"max\":10},"
        "{\"id\":\"canais\",\"kind\":\"choice\",\"multiple\":true,\"options\":["
        "{\"id\":\"email\"},{\"id\":\"siga\"},{\"id\":\"fone\"}]},"
        "{\"id\":\"pref\",\"kind\":\"choice\",\"options\":[{\"id\":\"email\"},{\"id\":\"siga\"}]},"
        "{\"id\":\"texto\",\"kind\":\"text\",\"max_length\":10}]");
    survey_questions_normalize(q);
    return q;
}

/* --- the machine --------------------------------------------------------- */

static void machine_every_edge_role_and_state(void **state)
{
    (void)state;
    static const struct {
        int from, action, to;
    } edges[] = {
        {SURVEY_DRAFT, SURVEY_ACT_OPEN, SURVEY_OPEN},
        {SURVEY_OPEN, SURVEY_ACT_CLOSE, SURVEY_CLOSED},
        {SURVEY_CLOSED, SURVEY_ACT_PUBLISH, SURVEY_PUBLISHED},
        {SURVEY_DRAFT, SURVEY_ACT_EDIT, SURVEY_DRAFT},
        {SURVEY_OPEN, SURVEY_ACT_EDIT, SURVEY_OPEN},
    };
    static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                     ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
    for (int s = 0; s < SURVEY_STATUS_COUNT; s++)
        for (int a = 0; a < SURVEY_ACTION_COUNT; a++)
            for (size_t r = 0; r < sizeof roles / sizeof *roles; r++) {
                int want = -1, to = -1;
                for (size_t e = 0; e < sizeof edges / sizeof *edges; e++)
                    if (edges[e].from == s && edges[e].action == a)
                        want = edges[e].to;
                enum status st = machine_transition(&survey_machine, s, a, roles[r], &to);
                if ((roles[r] & STAFF) == 0)
                    assert_int_equal(st, ST_FORBIDDEN);
                else if (want < 0)
                    assert_int_equal(st, ST_INVALID_STATE);
                else
                    assert_true(st == ST_OK && to == want);
            }
}

static void names_and_parse(void **state)
{
    (void)state;
    enum survey_status s;
    assert_string_equal(survey_status_name(SURVEY_PUBLISHED), "published");
    assert_null(survey_status_name((enum survey_status)9));
    assert_true(survey_status_parse("closed", &s) && s == SURVEY_CLOSED);
    assert_false(survey_status_parse("archived", &s));
    assert_int_equal(machine_action(&survey_machine, "open"), SURVEY_ACT_OPEN);
    assert_true(survey_id_valid("a") && survey_id_valid("satisfacao_geral_2027"));
    char forty[41], more[42];
    memset(forty, 'x', 40), forty[40] = '\0';
    memset(more, 'x', 41), more[41] = '\0';
    assert_true(survey_id_valid(forty));
    assert_false(survey_id_valid(more));
    assert_false(survey_id_valid("") || survey_id_valid("Geral") || survey_id_valid("a-b") ||
                 survey_id_valid("á") || survey_id_valid(NULL));
}

static void opening_needs_a_question(void **state)
{
    (void)state;
    struct survey_row s = {.status = SURVEY_DRAFT, .questions = json_array()};
    assert_int_equal(survey_ruled_out(&s), MACHINE_BIT(SURVEY_ACT_OPEN));
    assert_ptr_equal(survey_rule(&s, SURVEY_ACT_OPEN), SURVEY_RULE_NO_QUESTIONS);
    assert_null(survey_rule(&s, SURVEY_ACT_EDIT));
    const char *names[4];
    assert_int_equal(
        machine_allowed(&survey_machine, SURVEY_DRAFT, ROLE_STAFF, survey_ruled_out(&s), names, 4),
        1);
    assert_string_equal(names[0], "edit");
    survey_row_cleanup(&s);
    s.questions = questions();
    assert_int_equal(survey_ruled_out(&s), 0);
    assert_null(survey_rule(&s, SURVEY_ACT_OPEN));
    survey_row_cleanup(&s);
}

/* --- the rules of questions ---------------------------------------------- */

static size_t check(const char *qs, const char *opens, const char *closes, struct field_issue *out)
{
    struct survey_row s = {.questions = parse(qs)};
    snprintf(s.opens_at, sizeof s.opens_at, "%s", opens);
    snprintf(s.closes_at, sizeof s.closes_at, "%s", closes);
    size_t n = survey_check(&s, out, SURVEY_MAX_ISSUES);
    survey_row_cleanup(&s);
    return n;
}

static void assert_issue(const struct field_issue *i, const char *pointer, enum error_code code)
{
    assert_string_equal(i->pointer, pointer);
    assert_int_equal(i->code, code);
}

#define T0 "2027-03-01T09:00:00Z"
#define T1 "2027-03-31T23:00:00Z"

static void valid_questions_have_no_issue(void **state)
{
    (void)state;
    struct field_issue out[SURVEY_MAX_ISSUES];
    json_t *q = questions();
    char *text = json_dumps(q, 0);
    assert_int_equal(check(text, T0, T1, out), 0);
    assert_int_equal(check("[]", T0, T1, out), 0);
    free(text);
    json_decref(q);
}

static void closes_after_it_opens(void **state)
{
    (void)state;
    struct field_issue out[SURVEY_MAX_ISSUES];
    assert_int_equal(check("[]", T1, T0, out), 1);
    assert_issue(&out[0], "/closes_at", ERR_BEFORE_OPENING);
    assert_int_equal(check("[]", T0, T0, out), 1);
}

static void scales_are_1_to_5_or_0_to_10(void **state)
{
    (void)state;
    struct field_issue out[SURVEY_MAX_ISSUES];
    assert_int_equal(check("[{\"id\":\"a\",\"kind\":\"scale\",\"min\":0,\"max\":5},"
                           "{\"id\":\"b\",\"kind\":\"scale\",\"min\":1,\"max\":10},"
                           "{\"id\":\"c\",\"kind\":\"scale\",\"max\":5}]",
                           T0, T1, out),
                     3);
    assert_issue(&out[0], "/questions/0/min", ERR_SCALE_RANGE);
    assert_issue(&out[1], "/questions/1/min", ERR_SCALE_RANGE);
    assert_issue(&out[2], "/questions/2/min", ERR_REQUIRED);
}

static void members_of_another_kind_are_not_allowed(void **state)
{
    (void)state;
    struct field_issue out[SURVEY_MAX_ISSUES];
    assert_int_equal(check("[{\"id\":\"a\",\"kind\":\"choice\",\"min\":1,\"options\":[{\"id\":"
                           "\"x\"},{\"id\":\"y\"}]},"
                           "{\"id\":\"b\",\"kind\":\"text\",\"multiple\":false},"
                           "{\"id\":\"c\",\"kind\":\"scale\",\"min\":1,\"max\":5,\"max_length\":9},"
                           "{\"id\":\"d\",\"kind\":\"choice\"}]",
                           T0, T1, out),
                     4);
    assert_issue(&out[0], "/questions/0/min", ERR_NOT_ALLOWED);
    assert_issue(&out[1], "/questions/1/multiple", ERR_NOT_ALLOWED);
    assert_issue(&out[2], "/questions/2/max_length", ERR_NOT_ALLOWED);
    assert_issue(&out[3], "/questions/3/options", ERR_REQUIRED);
}

static void ids_are_unique(void **state)
{
    (void)state;
    struct field_issue out[SURVEY_MAX_ISSUES];
    assert_int_equal(
        check("[{\"id\":\"a\",\"kind\":\"text\"},{\"id\":\"b\",\"kind\":\"text\"},"
              "{\"id\":\"a\",\"kind\":\"choice\",\"options\":[{\"id\":\"x\"},{\"id\":\"x\"}]}]",
              T0, T1, out),
        2);
    assert_issue(&out[0], "/questions/2/id", ERR_NOT_UNIQUE);
    assert_issue(&out[1], "/questions/2/options/1/id", ERR_NOT_UNIQUE);
    /* the export's first column is no question's */
    assert_int_equal(check("[{\"id\":\"respondent\",\"kind\":\"text\"}]", T0, T1, out), 1);
    assert_issue(&out[0], "/questions/0/id", ERR_NOT_ALLOWED);
    /* an option id may repeat another question's */
    assert_int_equal(check("[{\"id\":\"x\",\"kind\":\"choice\",\"options\":[{\"id\":\"x\"},{\"id\":"
                           "\"y\"}]}]",
                           T0, T1, out),
                     0);
}

static void check_writes_at_most_cap(void **state)
{
    (void)state;
    struct field_issue out[1];
    struct survey_row s = {.questions = parse("[{\"id\":\"a\",\"kind\":\"scale\"}]")};
    snprintf(s.opens_at, sizeof s.opens_at, T1);
    snprintf(s.closes_at, sizeof s.closes_at, T0);
    assert_int_equal(survey_check(&s, out, 1), 1);
    assert_issue(&out[0], "/closes_at", ERR_BEFORE_OPENING);
    survey_row_cleanup(&s);
}

static void defaults_are_filled(void **state)
{
    (void)state;
    json_t *q = parse("[{\"id\":\"a\",\"kind\":\"text\"},{\"id\":\"b\",\"kind\":\"choice\","
                      "\"required\":true,\"options\":[]},{\"id\":\"c\",\"kind\":\"scale\"}]");
    survey_questions_normalize(q);
    json_t *want =
        parse("[{\"id\":\"a\",\"kind\":\"text\",\"required\":false,\"max_length\":2000},"
              "{\"id\":\"b\",\"kind\":\"choice\",\"required\":true,\"options\":[],"
              "\"multiple\":false},{\"id\":\"c\",\"kind\":\"scale\",\"required\":false}]");
    assert_true(json_equal(q, want));
    json_decref(q);
    json_decref(want);
}

static void an_open_survey_freezes_all_but_title_and_closes_at(void **state)
{
    (void)state;
    struct survey_row cur = {.year = 2027, .status = SURVEY_OPEN, .questions = questions()};
    snprintf(cur.opens_at, sizeof cur.opens_at, T0);
    struct survey_row next = cur;
    next.questions = questions();
    snprintf(next.title, sizeof next.title, "Outro");
    snprintf(next.closes_at, sizeof next.closes_at, T1);
    assert_false(survey_frozen_change(&cur, &next));
    next.year = 2028;
    assert_true(survey_frozen_change(&cur, &next));
    next.year = 2027;
    snprintf(next.opens_at, sizeof next.opens_at, T1);
    assert_true(survey_frozen_change(&cur, &next));
    snprintf(next.opens_at, sizeof next.opens_at, T0);
    json_array_remove(next.questions, 0);
    assert_true(survey_frozen_change(&cur, &next));
    cur.status = SURVEY_DRAFT;
    assert_false(survey_frozen_change(&cur, &next));
    survey_row_cleanup(&cur);
    survey_row_cleanup(&next);
}

/* --- answers ------------------------------------------------------------- */

/* The single issue answers (on top of a valid "geral") give. */
static void one_issue(const char *answers, const char *pointer, enum error_code code)
{
    json_t *q = questions(), *a = parse(answers);
    if (json_object_get(a, "geral") == NULL)
        json_object_set_new(a, "geral", json_integer(3));
    struct field_issue out[SURVEY_MAX_ISSUES];
    size_t n = survey_check_answers(q, a, out, SURVEY_MAX_ISSUES);
    if (n != 1)
        fail_msg("%s: %zu issues", answers, n);
    assert_issue(&out[0], pointer, code);
    json_decref(q);
    json_decref(a);
}

static void good_answers_pass_and_text_is_normalized(void **state)
{
    (void)state;
    json_t *q = questions();
    json_t *a = parse("{\"geral\":1,\"nps\":10,\"canais\":[\"siga\",\"email\"],\"pref\":\"email\","
                      "\"texto\":\"  Boa\\nideia \"}");
    struct field_issue out[SURVEY_MAX_ISSUES];
    assert_int_equal(survey_check_answers(q, a, out, SURVEY_MAX_ISSUES), 0);
    assert_string_equal(json_string_value(json_object_get(a, "texto")), "Boa\nideia");
    json_t *only = parse("{\"geral\":5}"); /* the others are optional */
    assert_int_equal(survey_check_answers(q, only, out, SURVEY_MAX_ISSUES), 0);
    json_decref(only);
    json_decref(q);
    json_decref(a);
}

static void every_answer_code(void **state)
{
    (void)state;
    json_t *q = questions(), *a = parse("{}");
    struct field_issue out[SURVEY_MAX_ISSUES];
    assert_int_equal(survey_check_answers(q, a, out, SURVEY_MAX_ISSUES), 1);
    assert_issue(&out[0], "/answers/geral", ERR_REQUIRED);
    json_decref(a);
    json_decref(q);
    one_issue("{\"geral\":0}", "/answers/geral", ERR_OUT_OF_RANGE);
    one_issue("{\"geral\":6}", "/answers/geral", ERR_OUT_OF_RANGE);
    one_issue("{\"nps\":-1}", "/answers/nps", ERR_OUT_OF_RANGE);
    one_issue("{\"nps\":11}", "/answers/nps", ERR_OUT_OF_RANGE);
    one_issue("{\"nps\":5.0}", "/answers/nps", ERR_TYPE);
    one_issue("{\"nps\":\"5\"}", "/answers/nps", ERR_TYPE);
    one_issue("{\"pref\":\"fax\"}", "/answers/pref", ERR_UNKNOWN_OPTION);
    one_issue("{\"pref\":[\"email\"]}", "/answers/pref", ERR_MULTIPLE);
    one_issue("{\"pref\":true}", "/answers/pref", ERR_TYPE);
    one_issue("{\"canais\":\"email\"}", "/answers/canais", ERR_MULTIPLE);
    one_issue("{\"canais\":[\"email\",\"siga\",\"email\"]}", "/answers/canais", ERR_MULTIPLE);
    one_issue("{\"canais\":[\"email\",\"fax\"]}", "/answers/canais", ERR_UNKNOWN_OPTION);
    one_issue("{\"canais\":[\"email\",1]}", "/answers/canais", ERR_TYPE);
    one_issue("{\"canais\":[]}", "/answers/canais", ERR_TOO_FEW);
    one_issue("{\"canais\":null}", "/answers/canais", ERR_TYPE);
    one_issue("{\"texto\":\"12345678901\"}", "/answers/texto", ERR_TOO_LONG);
    one_issue("{\"texto\":\"\"}", "/answers/texto", ERR_TOO_SHORT);
    one_issue("{\"texto\":\"a\\tb\"}", "/answers/texto", ERR_CONTROL_CHARACTER);
    one_issue("{\"texto\":\"a\\r\\nb\"}", "/answers/texto", ERR_CONTROL_CHARACTER);
    one_issue("{\"texto\":[\"a\"]}", "/answers/texto", ERR_TYPE);
    one_issue("{\"outra\":1}", "/answers/outra", ERR_UNKNOWN_FIELD);
}

static void length_counts_characters(void **state)
{
    (void)state;
    /* ten characters of two bytes each: at the limit */
    json_t *q = questions(), *a = parse("{\"geral\":2,\"texto\":\"çççççççççç\"}");
    struct field_issue out[SURVEY_MAX_ISSUES];
    assert_int_equal(survey_check_answers(q, a, out, SURVEY_MAX_ISSUES), 0);
    json_decref(a);
    json_decref(q);
}

/* --- aggregates ---------------------------------------------------------- */

static void mean_of_a_distribution(void **state)
{
    (void)state;
    long total = -1;
    const long counts[5] = {1, 0, 0, 2, 1}; /* 1, 4, 4, 5 */
    assert_true(survey_mean(counts, 1, 5, &total) == 3.5);
    assert_int_equal(total, 4);
    const long none[5] = {0};
    assert_true(survey_mean(none, 1, 5, &total) == 0.0);
    assert_int_equal(total, 0);
}

static void nps_promoters_minus_detractors(void **state)
{
    (void)state;
    long c[11] = {0};
    assert_true(survey_nps(c) == 0.0);
    c[10] = 3;
    assert_true(survey_nps(c) == 100.0);
    memset(c, 0, sizeof c);
    c[0] = 1, c[6] = 2;
    assert_true(survey_nps(c) == -100.0);
    memset(c, 0, sizeof c);
    c[7] = 4, c[8] = 1; /* passives only */
    assert_true(survey_nps(c) == 0.0);
    memset(c, 0, sizeof c);
    c[9] = 1, c[7] = 1, c[8] = 1; /* one promoter of three: 33.3 */
    assert_true(survey_nps(c) == 33.3);
    c[6] = 3; /* 1 promoter, 3 detractors of 6: -33.3 */
    assert_true(survey_nps(c) == -33.3);
    memset(c, 0, sizeof c);
    c[9] = 2, c[10] = 1, c[5] = 1, c[8] = 2; /* 3 − 1 of 6: 33.3 */
    assert_true(survey_nps(c) == 33.3);
}

static json_t *result_of(const json_t *results, const char *id)
{
    size_t i;
    json_t *q;
    json_array_foreach(results, i, q) if (strcmp(json_string_value(json_object_get(q, "id")), id) ==
                                          0) return q;
    fail_msg("no result for %s", id);
    return NULL;
}

static json_t *five_responses(void)
{
    return parse(
        "[{\"geral\":5,\"nps\":10,\"canais\":[\"email\",\"siga\"],\"texto\":\"zeta\"},"
        "{\"geral\":4,\"nps\":9,\"canais\":[\"email\"],\"pref\":\"siga\",\"texto\":\"alfa\"},"
        "{\"geral\":4,\"nps\":8},"
        "{\"geral\":2,\"nps\":3},"
        "{\"geral\":1,\"nps\":0,\"canais\":[\"fone\"]}]");
}

static void results_whole(void **state)
{
    (void)state;
    json_t *q = questions(), *r = five_responses();
    json_t *res = survey_results(q, r, false);
    assert_int_equal(json_array_size(res), 5);
    json_t *want =
        parse("{\"id\":\"geral\",\"kind\":\"scale\",\"suppressed\":false,\"answers\":5,"
              "\"mean\":3.2,\"distribution\":{\"1\":1,\"2\":1,\"3\":0,\"4\":2,\"5\":1}}");
    assert_true(json_equal(result_of(res, "geral"), want));
    json_decref(want);
    json_t *nps = result_of(res, "nps");
    assert_true(json_real_value(json_object_get(nps, "nps")) == 0.0); /* 2 − 2 of 5 */
    assert_int_equal(json_object_size(json_object_get(nps, "distribution")), 11);
    assert_true(json_real_value(json_object_get(nps, "mean")) == 6.0);
    want = parse("{\"id\":\"canais\",\"kind\":\"choice\",\"suppressed\":false,\"answers\":3,"
                 "\"options\":{\"email\":2,\"siga\":1,\"fone\":1}}");
    assert_true(json_equal(result_of(res, "canais"), want));
    json_decref(want);
    want = parse("{\"id\":\"texto\",\"kind\":\"text\",\"suppressed\":false,\"answers\":2,"
                 "\"texts\":[\"alfa\",\"zeta\"]}");
    assert_true(json_equal(result_of(res, "texto"), want));
    json_decref(want);
    assert_null(json_object_get(result_of(res, "geral"), "nps"));
    json_decref(res);
    json_decref(r);
    json_decref(q);
}

static void suppression_of_small_groups(void **state)
{
    (void)state;
    json_t *q = questions(), *r = five_responses();
    json_t *res = survey_results(q, r, true);
    /* five answered geral and nps: shown; canais (3), pref (1), texto (2): suppressed */
    assert_false(json_is_true(json_object_get(result_of(res, "geral"), "suppressed")));
    assert_false(json_is_true(json_object_get(result_of(res, "nps"), "suppressed")));
    const char *small[] = {"canais", "pref", "texto"};
    for (size_t i = 0; i < 3; i++) {
        json_t *s = result_of(res, small[i]);
        assert_true(json_is_true(json_object_get(s, "suppressed")));
        assert_int_equal(json_object_size(s), 3); /* id, kind, suppressed: nothing else */
    }
    json_decref(res);
    /* under five responses, every question is suppressed */
    json_array_remove(r, 4);
    res = survey_results(q, r, true);
    size_t i;
    json_t *s;
    json_array_foreach(res, i, s)
    {
        assert_true(json_is_true(json_object_get(s, "suppressed")));
        assert_int_equal(json_object_size(s), 3);
    }
    json_decref(res);
    res = survey_results(q, r, false); /* staff's view: never */
    json_array_foreach(res, i, s) assert_false(json_is_true(json_object_get(s, "suppressed")));
    json_decref(res);
    json_decref(r);
    json_decref(q);
}

static void results_of_nothing(void **state)
{
    (void)state;
    json_t *q = questions(), *r = json_array();
    json_t *res = survey_results(q, r, false);
    assert_true(json_is_null(json_object_get(result_of(res, "geral"), "mean")));
    assert_true(json_is_null(json_object_get(result_of(res, "nps"), "nps")));
    assert_int_equal(json_integer_value(json_object_get(result_of(res, "pref"), "answers")), 0);
    json_decref(res);
    json_decref(r);
    json_decref(q);
}

/* --- the export ---------------------------------------------------------- */

static void pseudonym_is_the_hmac_under_the_key(void **state)
{
    (void)state;
    unsigned char key[SURVEY_KEY_BYTES];
    for (int i = 0; i < SURVEY_KEY_BYTES; i++)
        key[i] = (unsigned char)i;
    char out[65], other[65];
    /* RFC 2104 HMAC-SHA-256, computed independently (Python's hmac) */
    survey_pseudonym(key, "6b1f0c3e-2d4a-4e8b-9f7c-1a2b3c4d5e6f", out);
    assert_string_equal(out, "495714e30ba86a40054299a597d4d9e537d2f306a30fb7bbdc707e37e624da9b");
    key[0] ^= 1;
    survey_pseudonym(key, "6b1f0c3e-2d4a-4e8b-9f7c-1a2b3c4d5e6f", other);
    assert_string_not_equal(out, other);
}

static void export_rows_follow_the_questions(void **state)
{
    (void)state;
    json_t *q = questions();
    json_t *columns = survey_export_columns(q);
    json_t *want = parse("[\"respondent\",\"geral\",\"nps\",\"canais\",\"pref\",\"texto\"]");
    assert_true(json_equal(columns, want));
    json_decref(want);
    json_t *answers = parse("{\"texto\":\"=1+1\",\"canais\":[\"siga\",\"email\"],\"geral\":3}");
    json_t *row = survey_export_row(q, "abc", answers);
    want = parse("{\"respondent\":\"abc\",\"geral\":3,\"nps\":null,\"canais\":\"siga;email\","
                 "\"pref\":null,\"texto\":\"=1+1\"}");
    assert_true(json_equal(row, want));
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach(row, key, v) /* in the columns' order */
    {
        (void)v;
        assert_string_equal(key, json_string_value(json_array_get(columns, i++)));
    }
    json_decref(want);
    json_decref(row);
    json_decref(answers);
    json_decref(columns);
    json_decref(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_every_edge_role_and_state),
        cmocka_unit_test(names_and_parse),
        cmocka_unit_test(opening_needs_a_question),
        cmocka_unit_test(valid_questions_have_no_issue),
        cmocka_unit_test(closes_after_it_opens),
        cmocka_unit_test(scales_are_1_to_5_or_0_to_10),
        cmocka_unit_test(members_of_another_kind_are_not_allowed),
        cmocka_unit_test(ids_are_unique),
        cmocka_unit_test(check_writes_at_most_cap),
        cmocka_unit_test(defaults_are_filled),
        cmocka_unit_test(an_open_survey_freezes_all_but_title_and_closes_at),
        cmocka_unit_test(good_answers_pass_and_text_is_normalized),
        cmocka_unit_test(every_answer_code),
        cmocka_unit_test(length_counts_characters),
        cmocka_unit_test(mean_of_a_distribution),
        cmocka_unit_test(nps_promoters_minus_detractors),
        cmocka_unit_test(results_whole),
        cmocka_unit_test(suppression_of_small_groups),
        cmocka_unit_test(results_of_nothing),
        cmocka_unit_test(pseudonym_is_the_hmac_under_the_key),
        cmocka_unit_test(export_rows_follow_the_questions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
