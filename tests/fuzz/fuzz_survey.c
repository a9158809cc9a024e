/* The survey's rules on arbitrary input (src/domain/survey.c): the input is
 * a survey's questions, a newline, and a registrar's answers. Questions that
 * the rules accept (else a fixed valid set) are normalized; the answers are
 * checked against them, and the promises of survey.h are held: never more
 * issues than asked for, accepted answers stay accepted once normalized, the
 * results have one entry per question whatever the view, and the export's
 * row has the export's columns. */
#include "fuzz.h"

#include "survey.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

static const char fixed[] =
    "[{\"id\":\"geral\",\"kind\":\"scale\",\"min\":1,\"max\":5,\"required\":true},"
    "{\"id\":\"nps\",\"kind\":\"scale\",\"min\":0,\"max\":10},"
    "{\"id\":\"canais\",\"kind\":\"choice\",\"multiple\":true,\"options\":["
    "{\"id\":\"email\"},{\"id\":\"siga\"}]},"
    "{\"id\":\"pref\",\"kind\":\"choice\",\"options\":[{\"id\":\"email\"},{\"id\":\"siga\"}]},"
    "{\"id\":\"texto\",\"kind\":\"text\",\"max_length\":20}]";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    util_install_allocators();
    json_object_seed(1); /* not random: the same inputs on every run */
    return sodium_init() < 0;
}

/* The questions of the input when they are an array the rules accept. */
static json_t *questions_of(const char *text, size_t len)
{
    json_t *q = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    struct survey_row s = {.questions = q};
    struct field_issue issues[4];
    if (!json_is_array(q) || json_array_size(q) > SURVEY_QUESTIONS_MAX ||
        survey_check(&s, issues, 4) != 0) {
        json_decref(q);
        q = json_loads(fixed, 0, NULL);
    }
    survey_questions_normalize(q);
    return q;
}

static void results(const json_t *questions, const json_t *answers)
{
    json_t *responses = json_array();
    for (int i = 0; i < SURVEY_MIN_GROUP; i++)
        json_array_append(responses, (json_t *)answers);
    for (int suppress = 0; suppress < 2; suppress++) {
        json_t *r = survey_results(questions, responses, suppress);
        if (json_array_size(r) != json_array_size(questions))
            abort();
        json_decref(r);
    }
    json_decref(responses);
    unsigned char key[SURVEY_KEY_BYTES] = {1};
    char pseudonym[65];
    survey_pseudonym(key, "6b1f0c3e-2d4a-4e8b-9f7c-1a2b3c4d5e6f", pseudonym);
    json_t *row = survey_export_row(questions, pseudonym, answers);
    json_t *columns = survey_export_columns(questions);
    if (json_object_size(row) > json_array_size(columns))
        abort();
    json_decref(columns);
    json_decref(row);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t qlen = nl ? (size_t)(nl - text) : 0;
    json_t *questions = questions_of(text, qlen);
    const char *rest = nl ? nl + 1 : text;
    json_t *answers = json_loadb(rest, size - (size_t)(rest - text), JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(answers)) {
        struct field_issue issues[3];
        size_t n = survey_check_answers(questions, answers, issues, 3);
        if (n > 3)
            abort();
        if (n == 0 && survey_check_answers(questions, answers, issues, 3) != 0)
            abort(); /* normalized answers stay accepted */
        if (n == 0)
            results(questions, answers);
    }
    json_decref(answers);
    json_decref(questions);
    return 0;
}
