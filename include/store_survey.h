/* Surveys and their responses: all their SQL, no rules. The pseudonym key
 * is written once at creation and read only by the export. */
#ifndef PARCERIA_STORE_SURVEY_H
#define PARCERIA_STORE_SURVEY_H

#include "db.h"
#include "page.h"
#include "survey.h"

#include <jansson.h>
#include <stdbool.h>

/* The list's sort keys, and its filters' positions in page_query.filters. */
#define STORE_SURVEY_SORTS 2
extern const struct page_sort store_survey_sorts[STORE_SURVEY_SORTS];
enum {
    STORE_SURVEY_STATUS, /* JSON array of statuses */
    STORE_SURVEY_YEAR,   /* JSON array of years (text) */
    STORE_SURVEY_SHOWN,  /* JSON array of the statuses the caller may see, or NULL: all */
};

/* Reads one survey; lock takes FOR UPDATE. ST_NOT_FOUND when absent. */
enum status store_survey_get(PGconn *conn, const char *id, bool lock,
                             struct survey_row *out) WARN_UNUSED;
/* Inserts s (status draft) with its pseudonym key; out gets the stored row. */
enum status store_survey_insert(PGconn *conn, const struct survey_row *s,
                                const unsigned char key[SURVEY_KEY_BYTES],
                                struct survey_row *out) WARN_UNUSED;
/* Writes next's editable fields over row when row->row_version is current
 * (ST_STALE otherwise); row gets the stored row. */
enum status store_survey_update(PGconn *conn, struct survey_row *row,
                                const struct survey_row *next) WARN_UNUSED;
/* Sets the status (a name the domain gave). */
enum status store_survey_move(PGconn *conn, struct survey_row *row, const char *to) WARN_UNUSED;
/* A page of surveys (rows: struct survey_row). */
enum status store_survey_list(PGconn *conn, const struct page_query *q,
                              struct page_result *out) WARN_UNUSED;

/* Where a survey stands for an answer, its row locked against a move
 * (FOR SHARE) until the end of the transaction: its status and whether now
 * is within [opens_at, closes_at). ST_NOT_FOUND when absent. */
enum status store_survey_window(PGconn *conn, const char *id, enum survey_status *status,
                                bool *in_window) WARN_UNUSED;
/* Inserts or replaces registrar_id's answers (a JSON text); *created says
 * whether it is its first, updated_at when it was stored. ST_NOT_FOUND when
 * the registrar does not exist. */
enum status store_survey_respond(PGconn *conn, const char *id, const char *registrar_id,
                                 const char *answers, bool *created,
                                 char updated_at[32]) WARN_UNUSED;
/* registrar_id's answers (a new reference) and when it last answered.
 * ST_NOT_FOUND when it has not. */
enum status store_survey_response(PGconn *conn, const char *id, const char *registrar_id,
                                  json_t **answers, char updated_at[32]) WARN_UNUSED;
/* Every response's answers, as an array of objects in no meaningful order
 * (a new reference): nothing says whose. */
enum status store_survey_answers(PGconn *conn, const char *id, json_t **out) WARN_UNUSED;
/* The export's inputs: the survey's key, and every response as
 * [{"registrar_id", "answers"}] (a new reference). */
enum status store_survey_export(PGconn *conn, const char *id, unsigned char key[SURVEY_KEY_BYTES],
                                json_t **out) WARN_UNUSED;
/* The panel: every registrar not terminated, [{"trade_name", "name",
 * "email", "phone"}] of its admin contact, by trade name (a new reference). */
enum status store_survey_panel(PGconn *conn, json_t **out) WARN_UNUSED;

#endif
