/* Draws over HTTP: the creation's field table, how one renders (everything
 * anyone needs to recompute it), the public list, the creation, and the
 * bodies of run and decline. Reading, history and the actions are the
 * kit's (resource.h). */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_draw.h"
#include "store_draw.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)

static bool commitment_valid(const char *s)
{
    return draw_commitment_valid(s);
}

static const struct field create_fields[] = {
    FIELD_TEXT("title", FIELD_REQUIRED, 1, 200),
    {.name = "source_event_id", .type = FIELD_UUID, .flags = FIELD_REQUIRED},
    {.name = "target_event_id", .type = FIELD_UUID, .flags = FIELD_REQUIRED},
    {.name = "winner_count",
     .type = FIELD_INTEGER,
     .flags = FIELD_REQUIRED,
     .min = 1,
     .max = DRAW_MAX_WINNERS},
    FIELD_RULE("seed_commitment", FIELD_REQUIRED, 4 * DRAW_HEX_LEN, commitment_valid, ERR_FORMAT),
    {0},
};

/* The seed and the entropy are taken as sent (a rule, so no trimming and
 * no normalization): the commitment is of their exact bytes. */
static bool exact_bytes(const char *s)
{
    return s != NULL;
}

static const struct field run_fields[] = {
    FIELD_RULE("seed", FIELD_REQUIRED, 200, exact_bytes, ERR_FORMAT, .min = 1),
    FIELD_RULE("public_entropy", FIELD_REQUIRED, 200, exact_bytes, ERR_FORMAT, .min = 1),
    {0},
};

static const struct field decline_fields[] = {
    {.name = "registrar_id", .type = FIELD_UUID, .writers = STAFF_ONLY},
    {0},
};

static const struct field *action_body(int action)
{
    return action == DRAW_ACT_RUN ? run_fields : action == DRAW_ACT_DECLINE ? decline_fields : NULL;
}

static json_t *ids_json(const struct draw_ids *l, bool set)
{
    if (!set)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->ids[i]));
    return a;
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct draw_row *d = row;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", d->id, "title", d->title,
                          "source_event_id", d->source_event_id, "target_event_id",
                          d->target_event_id, "winner_count", d->winner_count, "seed_commitment",
                          d->seed_commitment, "status", draw_status_name(d->status));
    json_t *result =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "pool",
                  ids_json(&d->pool, d->frozen), "frozen_at", api_json_text(d->frozen_at), "seed",
                  api_json_text(d->seed), "public_entropy", api_json_text(d->public_entropy),
                  "drawn_at", api_json_text(d->drawn_at), "order", ids_json(&d->order, d->drawn),
                  "winners", ids_json(&d->winners, d->drawn), "alternates",
                  ids_json(&d->alternates, d->drawn), "declined", ids_json(&d->declined, true),
                  "representatives", ids_json(&d->representatives, d->drawn), "allowed_actions",
                  resource_actions(&api_draws, d, ctx));
    json_object_update(o, result);
    json_decref(result);
    json_object_set_new(o, "created_at", json_string(d->created_at));
    json_object_set_new(o, "updated_at", json_string(d->updated_at));
    json_object_set_new(o, "status_changed_at", json_string(d->status_changed_at));
    return o;
}

/* A registrar that is not a current representative may not decline. */
static int refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome)
{
    (void)outcome;
    if (st != ST_FORBIDDEN)
        return RESOURCE_DEFAULT;
    struct problem_text detail = {"Only a current representative may decline for itself.",
                                  "Só um representante atual pode desistir por si."};
    return problem_send(resp, ctx, PROBLEM_FORBIDDEN, detail, NULL);
}

static const struct resource_filter filters[] = {
    [STORE_DRAW_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_draw_sorts,
    .nsorts = STORE_DRAW_SORTS,
    .filters = filters,
    .kind = &service_draw_kind,
};

const struct resource api_draws = {
    .kind = &service_draw_kind,
    .path = "/v1/draws",
    .render = render,
    .refused = refused,
    .list = &list,
    .action_body = action_body,
    .public_max_age = 60,
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct draw_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_draw_create(call, &c->in, &c->row, outcome);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_draws, &c->row, NULL);
}

int api_draws_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct created c = {0};
    const char *const names[] = {"title", "source_event_id", "target_event_id", "seed_commitment"};
    char *const outs[] = {c.in.title, c.in.source_event_id, c.in.target_event_id,
                          c.in.seed_commitment};
    const size_t caps[] = {sizeof c.in.title, sizeof c.in.source_event_id,
                           sizeof c.in.target_event_id, sizeof c.in.seed_commitment};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        snprintf(outs[i], caps[i], "%s", json_string_value(json_object_get(doc, names[i])));
    c.in.winner_count = (int)json_integer_value(json_object_get(doc, "winner_count"));
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    int rc = resource_change(resp, ctx, &api_draws, &change);
    draw_row_cleanup(&c.in);
    draw_row_cleanup(&c.row);
    json_decref(doc);
    return rc;
}
