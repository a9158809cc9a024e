/* The satisfaction survey's rules (survey.h): its machine as data, the
 * rules of its questions, the validation of answers, the aggregates and the
 * pseudonyms. Pure: libsodium is only the HMAC. */
#include "survey.h"

#include "machine.h"
#include "program.h"
#include "role.h"
#include "util.h"
#include "validate.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define SB(s) MACHINE_BIT(SURVEY_##s)

static const char *const survey_states[SURVEY_STATUS_COUNT] = {
    [SURVEY_DRAFT] = "draft",
    [SURVEY_OPEN] = "open",
    [SURVEY_CLOSED] = "closed",
    [SURVEY_PUBLISHED] = "published",
};

static const struct machine_action survey_actions[SURVEY_ACTION_COUNT] = {
    [SURVEY_ACT_OPEN] = {"open", STAFF, SB(DRAFT), SURVEY_OPEN, false, 0},
    [SURVEY_ACT_CLOSE] = {"close", STAFF, SB(OPEN), SURVEY_CLOSED, false, 0},
    [SURVEY_ACT_PUBLISH] = {"publish", STAFF, SB(CLOSED), SURVEY_PUBLISHED, false, 0},
    [SURVEY_ACT_EDIT] = {"edit", STAFF, SB(DRAFT) | SB(OPEN), MACHINE_SAME, false, 0},
};

const struct machine survey_machine = {survey_states, SURVEY_STATUS_COUNT, survey_actions,
                                       SURVEY_ACTION_COUNT};

const char SURVEY_RULE_NO_QUESTIONS[] = "no_questions";
const char SURVEY_RULE_QUESTIONS_FROZEN[] = "questions_frozen";

const char *const survey_kind_names[] = {
    [SURVEY_SCALE] = "scale",
    [SURVEY_CHOICE] = "choice",
    [SURVEY_TEXT] = "text",
    NULL,
};

void survey_row_cleanup(struct survey_row *row)
{
    json_decref(row->questions);
    row->questions = NULL;
}

const char *survey_status_name(enum survey_status status)
{
    return (unsigned)status < SURVEY_STATUS_COUNT ? survey_states[status] : NULL;
}

bool survey_status_parse(const char *name, enum survey_status *out)
{
    int i = machine_state(&survey_machine, name);
    if (i >= 0)
        *out = (enum survey_status)i;
    return i >= 0;
}

bool survey_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

unsigned survey_ruled_out(const struct survey_row *row)
{
    return json_array_size(row->questions) == 0 ? MACHINE_BIT(SURVEY_ACT_OPEN) : 0;
}

const char *survey_rule(const struct survey_row *row, int action)
{
    return (survey_ruled_out(row) & MACHINE_BIT(action)) ? SURVEY_RULE_NO_QUESTIONS : NULL;
}

static int kind_of(const json_t *q)
{
    const char *k = json_string_value(json_object_get(q, "kind"));
    for (int i = 0; k != NULL && survey_kind_names[i] != NULL; i++)
        if (strcmp(k, survey_kind_names[i]) == 0)
            return i;
    return -1;
}

/* --- the rules of questions ---------------------------------------------- */

/* Whether the id of item i of list is used by an item before it. */
static bool id_repeated(const json_t *list, size_t i)
{
    const char *id = json_string_value(json_object_get(json_array_get(list, i), "id"));
    for (size_t j = 0; id != NULL && j < i; j++) {
        const char *other = json_string_value(json_object_get(json_array_get(list, j), "id"));
        if (other != NULL && strcmp(id, other) == 0)
            return true;
    }
    return false;
}

/* The members only some kinds have, and the kind they belong to. */
static const struct {
    const char *name;
    enum survey_kind kind;
} kind_members[] = {
    {"min", SURVEY_SCALE},       {"max", SURVEY_SCALE},       {"options", SURVEY_CHOICE},
    {"multiple", SURVEY_CHOICE}, {"max_length", SURVEY_TEXT},
};

static void check_question(const json_t *q, size_t i, struct field_issues *is)
{
    int kind = kind_of(q);
    if (kind < 0)
        return; /* the field table reported it */
    for (size_t m = 0; m < sizeof kind_members / sizeof *kind_members; m++)
        if ((int)kind_members[m].kind != kind && json_object_get(q, kind_members[m].name))
            field_issue_add(is, ERR_NOT_ALLOWED, "/questions/%zu/%s", i, kind_members[m].name);
    if (kind == SURVEY_SCALE) {
        const json_t *min = json_object_get(q, "min"), *max = json_object_get(q, "max");
        if (min == NULL)
            field_issue_add(is, ERR_REQUIRED, "/questions/%zu/min", i);
        if (max == NULL)
            field_issue_add(is, ERR_REQUIRED, "/questions/%zu/max", i);
        long long lo = json_integer_value(min), hi = json_integer_value(max);
        if (min && max && !((lo == 1 && hi == 5) || (lo == 0 && hi == 10)))
            field_issue_add(is, ERR_SCALE_RANGE, "/questions/%zu/min", i);
    } else if (kind == SURVEY_CHOICE) {
        const json_t *options = json_object_get(q, "options");
        if (options == NULL)
            field_issue_add(is, ERR_REQUIRED, "/questions/%zu/options", i);
        for (size_t o = 1; o < json_array_size(options); o++)
            if (id_repeated(options, o))
                field_issue_add(is, ERR_NOT_UNIQUE, "/questions/%zu/options/%zu/id", i, o);
    }
}

size_t survey_check(const struct survey_row *s, struct field_issue *out, size_t cap)
{
    struct field_issues is = {out, cap, 0};
    if (s->opens_at[0] && s->closes_at[0] && !program_time_before(s->opens_at, s->closes_at))
        field_issue_add(&is, ERR_BEFORE_OPENING, "/closes_at");
    for (size_t i = 0; i < json_array_size(s->questions); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(s->questions, i), "id"));
        if (id_repeated(s->questions, i))
            field_issue_add(&is, ERR_NOT_UNIQUE, "/questions/%zu/id", i);
        else if (id != NULL && strcmp(id, SURVEY_RESPONDENT) == 0)
            field_issue_add(&is, ERR_NOT_ALLOWED, "/questions/%zu/id", i);
        check_question(json_array_get(s->questions, i), i, &is);
    }
    return field_issues_count(&is);
}

static void set_default(json_t *q, const char *name, json_t *value)
{
    if (json_object_get(q, name) == NULL)
        json_object_set(q, name, value);
    json_decref(value);
}

void survey_questions_normalize(json_t *questions)
{
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        set_default(q, "required", json_false());
        int kind = kind_of(q);
        if (kind == SURVEY_CHOICE)
            set_default(q, "multiple", json_false());
        else if (kind == SURVEY_TEXT)
            set_default(q, "max_length", json_integer(SURVEY_TEXT_MAX));
    }
}

bool survey_frozen_change(const struct survey_row *cur, const struct survey_row *next)
{
    if (cur->status == SURVEY_DRAFT)
        return false;
    return cur->year != next->year || strcmp(cur->opens_at, next->opens_at) != 0 ||
           !json_equal(cur->questions, next->questions);
}

/* --- answers ------------------------------------------------------------- */

static const json_t *find_by_id(const json_t *list, const char *id)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        const char *other = json_string_value(json_object_get(item, "id"));
        if (other != NULL && strcmp(other, id) == 0)
            return item;
    }
    return NULL;
}

static enum error_code check_scale(const json_t *q, const json_t *v)
{
    if (!json_is_integer(v))
        return ERR_TYPE;
    long long n = json_integer_value(v);
    bool in = n >= json_integer_value(json_object_get(q, "min")) &&
              n <= json_integer_value(json_object_get(q, "max"));
    return in ? ERR_NONE : ERR_OUT_OF_RANGE;
}

static enum error_code check_option(const json_t *q, const json_t *v)
{
    if (!json_is_string(v))
        return ERR_TYPE;
    return find_by_id(json_object_get(q, "options"), json_string_value(v)) ? ERR_NONE
                                                                           : ERR_UNKNOWN_OPTION;
}

static enum error_code check_choice(const json_t *q, const json_t *v)
{
    bool multiple = json_is_true(json_object_get(q, "multiple"));
    if (!json_is_array(v) && !json_is_string(v))
        return ERR_TYPE;
    if (json_is_array(v) != multiple)
        return ERR_MULTIPLE;
    if (!multiple)
        return check_option(q, v);
    if (json_array_size(v) < 1)
        return ERR_TOO_FEW;
    for (size_t i = 0; i < json_array_size(v); i++) {
        enum error_code code = check_option(q, json_array_get(v, i));
        for (size_t j = 0; code == ERR_NONE && j < i; j++)
            if (json_equal(json_array_get(v, i), json_array_get(v, j)))
                code = ERR_MULTIPLE;
        if (code != ERR_NONE)
            return code;
    }
    return ERR_NONE;
}

static enum error_code check_text(const json_t *q, json_t *v)
{
    if (!json_is_string(v))
        return ERR_TYPE;
    char *normalized = NULL;
    enum error_code code = validate_text_lines(json_string_value(v), &normalized);
    if (code == ERR_NONE && util_utf8_length(normalized) < 1)
        code = ERR_TOO_SHORT;
    else if (code == ERR_NONE && (long long)util_utf8_length(normalized) >
                                     json_integer_value(json_object_get(q, "max_length")))
        code = ERR_TOO_LONG;
    if (code == ERR_NONE)
        json_string_set(v, normalized);
    free(normalized);
    return code;
}

size_t survey_check_answers(const json_t *questions, json_t *answers, struct field_issue *out,
                            size_t cap)
{
    struct field_issues is = {out, cap, 0};
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v)
    {
        const json_t *q = find_by_id(questions, key);
        enum error_code code = ERR_UNKNOWN_FIELD;
        if (q != NULL && kind_of(q) == SURVEY_SCALE)
            code = check_scale(q, v);
        else if (q != NULL && kind_of(q) == SURVEY_CHOICE)
            code = check_choice(q, v);
        else if (q != NULL)
            code = check_text(q, v);
        if (code != ERR_NONE)
            field_issue_add(&is, code, "/answers/%s", key);
    }
    size_t i;
    const json_t *q;
    json_array_foreach(questions, i, q)
    {
        const char *id = json_string_value(json_object_get(q, "id"));
        if (id != NULL && json_is_true(json_object_get(q, "required")) &&
            json_object_get(answers, id) == NULL)
            field_issue_add(&is, ERR_REQUIRED, "/answers/%s", id);
    }
    return field_issues_count(&is);
}

/* --- aggregates ---------------------------------------------------------- */

/* x rounded half away from zero to 1/scale (no libm for one rounding). */
static double rounded(double x, double scale)
{
    double y = x * scale;
    return (double)(long long)(y >= 0 ? y + 0.5 : y - 0.5) / scale;
}

double survey_mean(const long *counts, int min, int n, long *total)
{
    long sum = 0, all = 0;
    for (int i = 0; i < n; i++) {
        all += counts[i];
        sum += counts[i] * (long)(min + i);
    }
    *total = all;
    return all > 0 ? (double)sum / (double)all : 0.0;
}

double survey_nps(const long counts[11])
{
    long all = 0, promoters = counts[9] + counts[10], detractors = 0;
    for (int i = 0; i <= 10; i++)
        all += counts[i];
    for (int i = 0; i <= 6; i++)
        detractors += counts[i];
    if (all == 0)
        return 0.0;
    return rounded(100.0 * (double)(promoters - detractors) / (double)all, 10.0);
}

static void scale_result(const json_t *q, const json_t *responses, const char *id, json_t *out)
{
    int min = (int)json_integer_value(json_object_get(q, "min"));
    int max = (int)json_integer_value(json_object_get(q, "max"));
    long counts[11] = {0};
    size_t i;
    const json_t *r;
    json_array_foreach(responses, i, r)
    {
        const json_t *v = json_object_get(r, id);
        long long n = json_integer_value(v);
        if (json_is_integer(v) && n >= min && n <= max && max - min < 11)
            counts[n - min]++;
    }
    long total = 0;
    double mean = survey_mean(counts, min, max - min + 1, &total);
    json_t *dist = json_object();
    for (int k = min; k <= max; k++) {
        char name[4];
        snprintf(name, sizeof name, "%d", k);
        json_object_set_new(dist, name, json_integer(counts[k - min]));
    }
    json_object_set_new(out, "answers", json_integer(total));
    json_object_set_new(out, "mean", total > 0 ? json_real(rounded(mean, 100.0)) : json_null());
    json_object_set_new(out, "distribution", dist);
    if (min == 0 && max == 10)
        json_object_set_new(out, "nps", total > 0 ? json_real(survey_nps(counts)) : json_null());
}

static void count_option(json_t *options, const json_t *v)
{
    json_t *n = json_string_value(v) ? json_object_get(options, json_string_value(v)) : NULL;
    if (n != NULL)
        json_integer_set(n, json_integer_value(n) + 1);
}

static void choice_result(const json_t *q, const json_t *responses, const char *id, json_t *out)
{
    json_t *options = json_object();
    size_t i, j;
    const json_t *r, *o;
    json_array_foreach(json_object_get(q, "options"), i, o)
        json_object_set_new(options, json_string_value(json_object_get(o, "id")), json_integer(0));
    long total = 0;
    json_array_foreach(responses, i, r)
    {
        const json_t *v = json_object_get(r, id);
        if (v == NULL)
            continue;
        total++;
        if (json_is_array(v))
            json_array_foreach(v, j, o) count_option(options, o);
        else
            count_option(options, v);
    }
    json_object_set_new(out, "answers", json_integer(total));
    json_object_set_new(out, "options", options);
}

static int text_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void text_result(const json_t *responses, const char *id, json_t *out)
{
    size_t n = json_array_size(responses), k = 0, i;
    const char **texts = xcalloc(n + 1, sizeof *texts);
    const json_t *r;
    json_array_foreach(responses, i, r)
    {
        const char *t = json_string_value(json_object_get(r, id));
        if (t != NULL)
            texts[k++] = t;
    }
    qsort(texts, k, sizeof *texts, text_order);
    json_t *list = json_array();
    for (i = 0; i < k; i++)
        json_array_append_new(list, json_string(texts[i]));
    free(texts);
    json_object_set_new(out, "answers", json_integer((json_int_t)k));
    json_object_set_new(out, "texts", list);
}

static json_t *question_result(const json_t *q, const json_t *responses, bool suppress)
{
    const char *id = json_string_value(json_object_get(q, "id"));
    int kind = kind_of(q);
    json_t *out = json_pack("{s:s, s:s, s:b}", "id", id ? id : "", "kind",
                            kind >= 0 ? survey_kind_names[kind] : "text", "suppressed", false);
    if (kind == SURVEY_SCALE)
        scale_result(q, responses, id, out);
    else if (kind == SURVEY_CHOICE)
        choice_result(q, responses, id, out);
    else
        text_result(responses, id, out);
    bool small = json_integer_value(json_object_get(out, "answers")) < SURVEY_MIN_GROUP ||
                 json_array_size(responses) < SURVEY_MIN_GROUP;
    if (suppress && small) {
        json_decref(out);
        out = json_pack("{s:s, s:s, s:b}", "id", id ? id : "", "kind",
                        kind >= 0 ? survey_kind_names[kind] : "text", "suppressed", true);
    }
    return out;
}

json_t *survey_results(const json_t *questions, const json_t *responses, bool suppress)
{
    json_t *out = json_array();
    size_t i;
    const json_t *q;
    json_array_foreach(questions, i, q)
        json_array_append_new(out, question_result(q, responses, suppress));
    return out;
}

/* --- the export ---------------------------------------------------------- */

void survey_pseudonym(const unsigned char key[SURVEY_KEY_BYTES], const char *registrar_id,
                      char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, SURVEY_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)registrar_id, strlen(registrar_id));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

json_t *survey_export_columns(const json_t *questions)
{
    json_t *columns = json_pack("[s]", SURVEY_RESPONDENT);
    size_t i;
    const json_t *q;
    json_array_foreach(questions, i, q) json_array_append(columns, json_object_get(q, "id"));
    return columns;
}

/* A multiple choice's options joined by ";", anything else as it is. */
static json_t *export_cell(const json_t *v)
{
    if (!json_is_array(v))
        return v ? json_incref((json_t *)v) : json_null();
    char *text = xstrdup("");
    size_t i;
    const json_t *o;
    json_array_foreach(v, i, o)
    {
        char *next = xasprintf("%s%s%s", text, i ? ";" : "", json_string_value(o) ?: "");
        free(text);
        text = next;
    }
    json_t *cell = json_string(text);
    free(text);
    return cell;
}

json_t *survey_export_row(const json_t *questions, const char *respondent, const json_t *answers)
{
    json_t *row = json_pack("{s:s}", SURVEY_RESPONDENT, respondent);
    size_t i;
    const json_t *q;
    json_array_foreach(questions, i, q)
    {
        const char *id = json_string_value(json_object_get(q, "id"));
        if (id != NULL)
            json_object_set_new(row, id, export_cell(json_object_get(answers, id)));
    }
    return row;
}
