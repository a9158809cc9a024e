/* Surveys as a kind for the generic runner, their creation, responses and
 * the reads that never name a respondent. */
#include "service_survey.h"

#include "store_survey.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const personal_fields[] = {NULL};

SERVICE_ROW_ACCESSORS(struct survey_row, survey_row_cleanup, store_survey_get)

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason; /* kept in the audit event */
    return store_survey_move(conn, row, survey_status_name(to));
}

static unsigned ruled_out(const void *row)
{
    return survey_ruled_out(row);
}

static const char *rule(const void *row, int action)
{
    return survey_rule(row, action);
}

/* An open survey takes a new title and closes_at only. */
static enum status save(PGconn *conn, void *r, const void *next, struct service_outcome *outcome)
{
    struct survey_row *row = r;
    if (survey_frozen_change(row, next)) {
        snprintf(outcome->current, sizeof outcome->current, "%s", survey_status_name(row->status));
        outcome->conflict = SURVEY_RULE_QUESTIONS_FROZEN;
        return ST_INVALID_STATE;
    }
    return store_survey_update(conn, row, next);
}

const struct service_kind service_survey_kind = {
    .type = "survey",
    .machine = &survey_machine,
    .edit_action = SURVEY_ACT_EDIT,
    .row_size = sizeof(struct survey_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .ruled_out = ruled_out,
    .rule = rule,
    .move = move,
    .save = save,
    .list = store_survey_list,
};

struct create {
    const struct service_call *call;
    const struct survey_row *in;
    struct survey_row *out;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    unsigned char key[SURVEY_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    enum status st = store_survey_insert(conn, c->in, key, c->out);
    sodium_memzero(key, sizeof key);
    return st == ST_OK ? service_audit_created(c->call, &service_survey_kind, "create", c->out)
                       : st;
}

enum status service_survey_create(const struct service_call *call, const struct survey_row *s,
                                  struct survey_row *out)
{
    struct create c = {call, s, out};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

struct respond {
    const struct service_call *call;
    const char *id, *registrar_id;
    const json_t *answers;
    bool *created;
    char *updated_at;
};

static enum status respond_tx(PGconn *conn, void *arg)
{
    struct respond *r = arg;
    enum survey_status status;
    bool in_window = false;
    enum status st = store_survey_window(conn, r->id, &status, &in_window);
    if (st == ST_OK && (status != SURVEY_OPEN || !in_window))
        st = ST_WINDOW_CLOSED;
    if (st != ST_OK)
        return st;
    char *text = json_dumps(r->answers, JSON_COMPACT);
    st = store_survey_respond(conn, r->id, r->registrar_id, text, r->created, r->updated_at);
    free(text);
    if (st != ST_OK)
        return st;
    /* who answered and when, never what */
    struct audit_entry e = {.action = "respond",
                            .resource_type = "survey_response",
                            .resource_id = r->id,
                            .registrar_id = r->registrar_id};
    return service_record(r->call, &e);
}

enum status service_survey_respond(const struct service_call *call, const char *id,
                                   const char *registrar_id, const json_t *answers, bool *created,
                                   char updated_at[32])
{
    struct respond r = {call, id, registrar_id, answers, created, updated_at};
    return service_run(call, DB_READ_COMMITTED, respond_tx, &r);
}

enum status service_survey_response(const struct service_call *call, const char *id,
                                    const char *registrar_id, json_t **answers, char updated_at[32])
{
    return store_survey_response(call->conn, id, registrar_id, answers, updated_at);
}

enum status service_survey_results(const struct service_call *call, const struct survey_row *s,
                                   bool suppress, json_t **out)
{
    json_t *responses = NULL;
    *out = NULL;
    enum status st = store_survey_answers(call->conn, s->id, &responses);
    if (st != ST_OK)
        return st;
    *out = json_pack("{s:s, s:I, s:o}", "survey_id", s->id, "responses",
                     (json_int_t)json_array_size(responses), "questions",
                     survey_results(s->questions, responses, suppress));
    json_decref(responses);
    return ST_OK;
}

struct export
{
    const struct survey_row *s;
    json_t *rows;
};

static int by_respondent(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, SURVEY_RESPONDENT)),
                  json_string_value(json_object_get(y, SURVEY_RESPONDENT)));
}

/* The key and the responses in one snapshot; each registrar id becomes its
 * pseudonym here and goes no further. */
static enum status export_read(const struct service_call *call, void *arg)
{
    struct export *e = arg;
    unsigned char key[SURVEY_KEY_BYTES];
    json_t *responses = NULL;
    json_decref(e->rows); /* a transaction run again starts afresh */
    e->rows = NULL;
    enum status st = store_survey_export(call->conn, e->s->id, key, &responses);
    if (st != ST_OK) {
        sodium_memzero(key, sizeof key);
        return st;
    }
    size_t n = json_array_size(responses), i;
    json_t **rows = xcalloc(n + 1, sizeof *rows), *r;
    json_array_foreach(responses, i, r)
    {
        char respondent[65];
        survey_pseudonym(key, json_string_value(json_object_get(r, "registrar_id")), respondent);
        rows[i] = survey_export_row(e->s->questions, respondent, json_object_get(r, "answers"));
    }
    sodium_memzero(key, sizeof key);
    json_decref(responses);
    qsort(rows, n, sizeof *rows, by_respondent);
    e->rows = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(e->rows, rows[i]);
    free(rows);
    return ST_OK;
}

enum status service_survey_export(const struct service_call *call, const struct survey_row *s,
                                  json_t **rows)
{
    struct export e = {s, NULL};
    enum status st = service_snapshot(call, export_read, &e);
    if (st != ST_OK)
        json_decref(e.rows), e.rows = NULL;
    *rows = e.rows;
    return st;
}

enum status service_survey_panel(const struct service_call *call, json_t **rows)
{
    return store_survey_panel(call->conn, rows);
}
