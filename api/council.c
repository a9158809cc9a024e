/* The Conselho Consultivo's terms over HTTP: the field tables, how a term
 * renders, its creation, the secret ballot (POST …/ballots answers the
 * receipt once) and the published results. Reading, editing, history and
 * open-nominations/open-voting/close are the kit's (resource.h);
 * nominations are api/council_nominations.c's. */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_council.h"
#include "store_council.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERM_FIELDS(req)                                                                           \
    FIELD_TEXT("title", (req), 1, 200),                                                            \
        FIELD_RULE("starts_on", (req), 10, council_date_valid, ERR_DATE),                          \
        FIELD_RULE("ends_on", (req), 10, council_date_valid, ERR_DATE),                            \
    {                                                                                              \
        .name = "registrar_seats", .type = FIELD_INTEGER, .flags = (req), .min = 1,                \
        .max = COUNCIL_SEATS_MAX                                                                   \
    }

static const struct field create_fields[] = {TERM_FIELDS(FIELD_REQUIRED), {0}};
static const struct field patch_fields[] = {TERM_FIELDS(0), {0}};

static bool is_uuid(const char *s)
{
    return util_is_uuid(s);
}

static const struct field ballot_fields[] = {
    FIELD_STRS("choices", FIELD_REQUIRED, COUNCIL_SEATS_MAX, is_uuid, ERR_FORMAT, .min = 1),
    {0},
};

static json_t *editable_json(const void *row)
{
    const struct council_term_row *t = row;
    return json_pack("{s:s, s:s, s:s, s:i}", "title", t->title, "starts_on", t->starts_on,
                     "ends_on", t->ends_on, "registrar_seats", t->registrar_seats);
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct council_term_row *t = row;
    json_t *o = json_pack("{s:s}", "id", t->id);
    json_t *editable = editable_json(t);
    json_object_update(o, editable);
    json_decref(editable);
    json_t *meta = json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:o}", "status",
                             council_term_status_name(t->status), "accepted_nominations",
                             t->nominations, "voters", t->voters, "created_at", t->created_at,
                             "updated_at", t->updated_at, "status_changed_at", t->status_changed_at,
                             "allowed_actions", resource_actions(&api_council_terms, t, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Only staff see a draft. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    return principal_is_staff(&ctx->who) ||
           ((const struct council_term_row *)row)->status != TERM_DRAFT;
}

static void text_into(char *out, size_t cap, const json_t *doc, const char *name)
{
    const char *s = json_string_value(json_object_get(doc, name));
    if (s != NULL)
        snprintf(out, cap, "%s", s);
}

/* A validated document into t, then the rules across fields. */
static bool editable_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct council_term_row *t = row;
    text_into(t->title, sizeof t->title, doc, "title");
    text_into(t->starts_on, sizeof t->starts_on, doc, "starts_on");
    text_into(t->ends_on, sizeof t->ends_on, doc, "ends_on");
    if (json_is_integer(json_object_get(doc, "registrar_seats")))
        t->registrar_seats = (int)json_integer_value(json_object_get(doc, "registrar_seats"));
    struct field_issue issues[COUNCIL_TERM_MAX_ISSUES];
    return schema_issues(errors, issues, council_term_check(t, issues, COUNCIL_TERM_MAX_ISSUES),
                         pt);
}

static void keep(const void *current, void *next)
{
    struct council_term_row *out = next;
    snprintf(out->id, sizeof out->id, "%s", ((const struct council_term_row *)current)->id);
}

static const struct resource_editable editable = {editable_json, keep, editable_from};

/* A registrar that may not nominate or vote: 403 not-eligible naming the
 * check ("accredited": not accredited now; "tenure": accredited for less
 * than twelve months). */
int api_council_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                        const struct service_outcome *outcome)
{
    if (st != ST_NOT_ELIGIBLE || outcome->conflict == NULL)
        return RESOURCE_DEFAULT;
    bool tenure = strcmp(outcome->conflict, "tenure") == 0;
    struct problem_text detail = {
        tenure ? "The registrar has been accredited for less than 12 months."
               : "The registrar is not accredited now (suspended or terminated).",
        tenure ? "O registrar está acreditado há menos de 12 meses."
               : "O registrar não está acreditado neste momento (suspenso ou cessado)."};
    return problem_send(resp, ctx, PROBLEM_NOT_ELIGIBLE, detail,
                        json_pack("{s:s}", "check", outcome->conflict));
}

static const struct resource_filter filters[] = {
    [STORE_COUNCIL_TERM_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_council_term_sorts,
    .nsorts = STORE_COUNCIL_TERM_SORTS,
    .filters = filters,
    .scope = resource_scope_public, /* no drafts but for staff */
    .kind = &service_council_term_kind,
};

const struct resource api_council_terms = {
    .kind = &service_council_term_kind,
    .path = "/v1/council/terms",
    .readable = readable,
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .refused = api_council_refused,
    .list = &list,
    .public_max_age = 60,
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct council_term_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    (void)outcome;
    struct created *c = arg;
    return service_council_term_create(call, &c->in, &c->row);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_council_terms, &c->row, NULL);
}

int api_council_terms_create(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    struct created c = {0};
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    return resource_create(req, resp, ctx, &api_council_terms, create_fields, NULL, &c.in, &change);
}

/* --- the ballot ---------------------------------------------------------- */

struct cast {
    char term_id[37];
    char registrar_id[40];
    struct council_ballot ballot;
};

static enum status cast(const struct service_call *call, void *arg, struct service_outcome *outcome)
{
    struct cast *c = arg;
    return service_council_vote(call, c->term_id, c->registrar_id, &c->ballot, outcome);
}

/* 201 with the receipt, shown this once: no Location (a ballot has no
 * address), never stored with the caller (the route takes no
 * Idempotency-Key, whose stored answer would name the voter). */
static void render_cast(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct cast *c = arg;
    api_set_json(resp, 201,
                 json_pack("{s:s, s:s}", "term_id", c->term_id, "receipt", c->ballot.hash));
}

/* The choices (lowercase UUIDs: the field table checked them) into b; a
 * repeated one is 422 at its index. */
static bool choices_from(const json_t *doc, struct council_ballot *b, bool pt, json_t *errors)
{
    const json_t *a = json_object_get(doc, "choices");
    bool ok = true;
    for (size_t i = 0; i < json_array_size(a) && i < COUNCIL_SEATS_MAX; i++) {
        char *id = b->choices[b->count];
        snprintf(id, sizeof b->choices[0], "%s", json_string_value(json_array_get(a, i)) ?: "");
        for (size_t j = 0; j < b->count; j++) {
            if (strcmp(b->choices[j], id) == 0) {
                char pointer[32];
                snprintf(pointer, sizeof pointer, "/choices/%zu", i);
                schema_error(errors, pointer, NULL, ERR_REPEATED, pt);
                ok = false;
            }
        }
        b->count++;
    }
    return ok;
}

int api_council_ballots_create(const struct _u_request *req, struct _u_response *resp,
                               struct req_ctx *ctx)
{
    struct service_call call;
    struct council_term_row term = {0};
    if (!resource_read(resp, ctx, &api_council_terms, &call, &term))
        return U_CALLBACK_COMPLETE;
    json_t *doc = body_read(req, resp, ctx, ballot_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct cast *c = xcalloc(1, sizeof *c);
    snprintf(c->term_id, sizeof c->term_id, "%s", term.id);
    snprintf(c->registrar_id, sizeof c->registrar_id, "%s", ctx->who.registrar_id);
    json_t *errors = json_array();
    int rc;
    if (!choices_from(doc, &c->ballot, ctx->lang_pt, errors)) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
    } else {
        struct resource_change change = {cast, c, render_cast, c, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_council_terms, &change);
    }
    memset(c, 0, sizeof *c);
    free(c);
    json_decref(errors);
    json_decref(doc);
    return rc;
}

/* --- results ------------------------------------------------------------- */

static json_t *results_json(const struct council_results *r)
{
    const struct council_nomination_row *noms = r->nominations.rows;
    json_t *tally = json_array(), *elected = json_array(), *ballots = json_array();
    for (size_t j = 0; j < (size_t)r->nominations.count; j++) {
        const struct council_tally *t = &r->tally[j];
        const struct council_nomination_row *n = NULL;
        for (size_t k = 0; n == NULL && k < (size_t)r->nominations.count; k++)
            if (strcmp(noms[k].id, t->nomination_id) == 0)
                n = &noms[k];
        if (n == NULL)
            continue;
        json_t *line = json_pack("{s:s, s:s, s:{s:s, s:s}, s:i, s:s, s:b}", "nomination_id", n->id,
                                 "nominee_name", n->nominee_name, "registrar", "id",
                                 n->registrar_id, "trade_name", n->registrar_name, "votes",
                                 t->votes, "lot", t->lot, "elected", t->elected);
        if (t->elected)
            json_array_append(elected, line);
        json_array_append_new(tally, line);
    }
    for (size_t i = 0; i < r->nballots; i++) {
        json_t *choices = json_array();
        for (size_t c = 0; c < r->ballots[i].count; c++)
            json_array_append_new(choices, json_string(r->ballots[i].choices[c]));
        json_array_append_new(
            ballots, json_pack("{s:s, s:o}", "hash", r->ballots[i].hash, "choices", choices));
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:o, s:o, s:s}", "term_id", r->term.id,
                     "title", r->term.title, "starts_on", r->term.starts_on, "ends_on",
                     r->term.ends_on, "registrar_seats", r->term.registrar_seats, "voters",
                     r->term.voters, "tally", tally, "elected", elected, "ballots", ballots,
                     "ballots_hash", r->ballots_hash);
}

int api_council_results(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct service_call call;
    struct council_term_row term = {0};
    if (!resource_read(resp, ctx, &api_council_terms, &call, &term))
        return U_CALLBACK_COMPLETE;
    struct council_results r;
    struct service_outcome outcome = {0};
    enum status st = service_council_results(&call, term.id, &r, &outcome);
    int rc;
    if (st != ST_OK) {
        rc = resource_refused(resp, ctx, &api_council_terms, st, &outcome, NULL);
    } else {
        json_t *body = results_json(&r);
        char *text = json_dumps(body, JSON_COMPACT);
        char etag[API_ETAG_MAX];
        api_body_etag(text, strlen(text), etag);
        if (resource_public_read(&api_council_terms, ctx))
            api_cache_public(resp, api_council_terms.public_max_age);
        rc = api_send_tagged(req, resp, ctx, text, strlen(text), etag);
        free(text);
        json_decref(body);
    }
    service_council_results_cleanup(&r);
    return rc;
}
