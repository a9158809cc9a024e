/* The satisfaction survey (DOMAIN.md section 8): its status machine, its
 * row, the rules of its questions, the validation of a registrar's answers,
 * the aggregates of its results and the respondents' pseudonyms. Pure: no
 * I/O.
 *
 *   action         who    from        to          effects
 *   open           staff  draft       open        (needs a question: rule no_questions)
 *   close          staff  open        closed
 *   publish        staff  closed      published
 *   edit (PATCH)   staff  draft, open (same)      (open: title and closes_at only)
 *
 * Questions (1 to 50 to open) are {id, text: {pt, en}, kind, required} and,
 * by kind: scale {min, max} (1..5 or 0..10), choice {options: 2..20 of
 * {id, text}, multiple}, text {max_length 1..2000}. Stored normalized: every
 * member of its kind present (required, multiple, max_length defaulted). */
#ifndef PARCERIA_SURVEY_H
#define PARCERIA_SURVEY_H

#include "error_code.h"
#include "field_issue.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum survey_status {
    SURVEY_DRAFT,
    SURVEY_OPEN,
    SURVEY_CLOSED,
    SURVEY_PUBLISHED,
};
#define SURVEY_STATUS_COUNT 4

enum survey_action {
    SURVEY_ACT_OPEN,
    SURVEY_ACT_CLOSE,
    SURVEY_ACT_PUBLISH,
    SURVEY_ACT_EDIT,
};
#define SURVEY_ACTION_COUNT 4

struct machine;
extern const struct machine survey_machine;

/* The rules a refusal names (outcome.conflict): opening a survey without
 * questions, and a change of a frozen member of an open survey. */
extern const char SURVEY_RULE_NO_QUESTIONS[];
extern const char SURVEY_RULE_QUESTIONS_FROZEN[];

#define SURVEY_TITLE_MAX 801 /* 200 characters of UTF-8, with the NUL */
#define SURVEY_QUESTIONS_MAX 50
#define SURVEY_OPTIONS_MIN 2
#define SURVEY_OPTIONS_MAX 20
#define SURVEY_TEXT_MAX 2000
/* The published view suppresses any group under this many answers. */
#define SURVEY_MIN_GROUP 5
/* The export's first column, which no question may be called. */
#define SURVEY_RESPONDENT "respondent"

enum survey_kind { SURVEY_SCALE, SURVEY_CHOICE, SURVEY_TEXT };
extern const char *const survey_kind_names[]; /* NULL-terminated */

struct survey_row {
    char id[37];
    int year;
    char title[SURVEY_TITLE_MAX];
    char opens_at[32];
    char closes_at[32];
    json_t *questions; /* owned: the normalized array */
    enum survey_status status;
    int response_count;
    /* The representation's version (the ETag and If-Match): the row's own
     * version plus its response count, both only ever growing, so a new
     * response is a new version too. */
    int version;
    int row_version; /* the column, for the store's conditional update */
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void survey_row_cleanup(struct survey_row *row);

const char *survey_status_name(enum survey_status status);
bool survey_status_parse(const char *name, enum survey_status *out) WARN_UNUSED;
/* A question's or an option's id: ^[a-z0-9_]{1,40}$. */
bool survey_id_valid(const char *s);
/* The actions a rule outside the table rules out now (machine bits): open
 * without questions. */
unsigned survey_ruled_out(const struct survey_row *row);
/* The rule that rules action out now (SURVEY_RULE_…), or NULL. */
const char *survey_rule(const struct survey_row *row, int action);

#define SURVEY_MAX_ISSUES 100

/* The rules across a survey's fields (the field table checked each one's
 * shape): it closes after it opens; question and option ids unique, and no
 * question called "respondent" (the export's first column); each kind's
 * members and only those; a scale of 1..5 or 0..10. Writes at most cap
 * issues; returns how many. */
size_t survey_check(const struct survey_row *s, struct field_issue *out, size_t cap);
/* Fills the defaults of valid questions in place (required false; multiple
 * false; max_length 2000), so that they are stored and rendered whole. */
void survey_questions_normalize(json_t *questions);
/* Whether next changes a member that is frozen in cur's state (an open
 * survey takes a new title and closes_at only). */
bool survey_frozen_change(const struct survey_row *cur, const struct survey_row *next);

/* A registrar's answers ({"<question id>": value}) against the questions:
 * a required question missing ("required"), an unknown id
 * ("unknown_field"), a scale value outside [min, max] ("out_of_range"), an
 * option that is not the question's ("unknown_option"), an array for a
 * single choice, a string for a multiple one or an option repeated
 * ("multiple"), text over max_length ("too_long") or of control characters,
 * any other wrong type ("type"). Pointers are /answers/<id>. Text answers
 * are replaced in place by their normalized form (validate_text_lines).
 * Writes at most cap issues; returns how many. */
size_t survey_check_answers(const json_t *questions, json_t *answers, struct field_issue *out,
                            size_t cap);

/* The mean of a distribution (counts[i] answers of value min + i, n
 * values), 0 when there are none; *total gets the number of answers. */
double survey_mean(const long *counts, int min, int n, long *total);
/* The net promoter score of a 0..10 distribution (counts[0..10]): percent
 * of promoters (9, 10) minus percent of detractors (0..6), rounded to one
 * decimal; 0 when there are no answers. */
double survey_nps(const long counts[11]);

/* The results of the questions over responses (an array of answer
 * objects), as the array of the results' "questions" (a new reference).
 * suppress: the published view, in which a question of fewer than
 * SURVEY_MIN_GROUP answers (every question, when there are fewer than
 * SURVEY_MIN_GROUP responses) is {"id", "kind", "suppressed": true} only.
 * Text answers come sorted, without who wrote them. */
json_t *survey_results(const json_t *questions, const json_t *responses, bool suppress);

/* A respondent's pseudonym in one survey: the lowercase hex
 * HMAC-SHA-256 of the registrar id under the survey's key. */
#define SURVEY_KEY_BYTES 32
void survey_pseudonym(const unsigned char key[SURVEY_KEY_BYTES], const char *registrar_id,
                      char out[65]);
/* One response as a row of the export: {"respondent", "<question id>": cell
 * …} in question order (a multiple choice's options joined by ";"; an
 * unanswered question null). A new reference. */
json_t *survey_export_row(const json_t *questions, const char *respondent, const json_t *answers);
/* The export's header: "respondent" then every question id (a new reference). */
json_t *survey_export_columns(const json_t *questions);

#endif
