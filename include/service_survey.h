/* Surveys' use cases: the kind whose actions (open, close, publish) and
 * edits the generic runner takes, creating one with its pseudonym key, a
 * registrar's response, and the reads that never name a respondent: the
 * results, the pseudonymous export and the panel of contacts. */
#ifndef PARCERIA_SERVICE_SURVEY_H
#define PARCERIA_SERVICE_SURVEY_H

#include "service.h"
#include "survey.h"

extern const struct service_kind service_survey_kind;

/* Creates s (draft) with a new random pseudonym key and its audit event. */
enum status service_survey_create(const struct service_call *call, const struct survey_row *s,
                                  struct survey_row *out) WARN_UNUSED;

/* Records registrar_id's answers (validated against the survey's questions
 * by the caller) while the survey is open and now is within its window
 * (else ST_WINDOW_CLOSED), replacing any before; *created says whether it
 * was the first, updated_at when it was stored. Audited as "respond"
 * without any answer. */
enum status service_survey_respond(const struct service_call *call, const char *id,
                                   const char *registrar_id, const json_t *answers, bool *created,
                                   char updated_at[32]) WARN_UNUSED;
/* registrar_id's answers (a new reference) and when it last answered;
 * ST_NOT_FOUND when it has none. */
enum status service_survey_response(const struct service_call *call, const char *id,
                                    const char *registrar_id, json_t **answers,
                                    char updated_at[32]) WARN_UNUSED;
/* The results of survey s: {"survey_id", "responses", "questions"} (a new
 * reference); suppress: the published view (survey.h). */
enum status service_survey_results(const struct service_call *call, const struct survey_row *s,
                                   bool suppress, json_t **out) WARN_UNUSED;
/* The export of survey s: its rows (survey_export_row), sorted by
 * respondent (a new reference). */
enum status service_survey_export(const struct service_call *call, const struct survey_row *s,
                                  json_t **rows) WARN_UNUSED;
/* The panel (store_survey_panel; a new reference). */
enum status service_survey_panel(const struct service_call *call, json_t **rows) WARN_UNUSED;

#endif
