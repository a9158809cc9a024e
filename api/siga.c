/* SIGA improvement proposals over HTTP: the field tables, how a proposal
 * and a comment render (an author is a registrar's id, or staff as one:
 * never a staff member's identity), proposing, voting and commenting.
 * Reading, editing, history and the status actions (with their note) are
 * the kit's (resource.h); the kind's own question (kind->may) keeps edits
 * to their author and a comment's to its first 15 minutes. */
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_siga.h"
#include "store_siga.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROPOSAL_FIELDS(req)                                                                       \
    FIELD_TEXT("title", (req), 1, 200), FIELD_TEXT("description", (req) | FIELD_LINES, 1, 10000),  \
    {                                                                                              \
        .name = "area", .type = FIELD_ENUM, .flags = (req), .values = siga_area_names              \
    }

static const struct field create_fields[] = {
    PROPOSAL_FIELDS(FIELD_REQUIRED),
    {0},
};

static const struct field patch_fields[] = {
    PROPOSAL_FIELDS(0),
    {0},
};

/* The status actions' body: the public note. */
static const struct field note_fields[] = {
    FIELD_TEXT("note", FIELD_REQUIRED | FIELD_LINES, 1, SIGA_NOTE_MAX),
    {0},
};

/* A vote's body: nothing (an empty object at most). */
static const struct field no_fields[] = {
    {0},
};

static const struct field *action_body(int action)
{
    return action == SIGA_ACT_VOTE || action == SIGA_ACT_UNVOTE ? no_fields : note_fields;
}

/* {"registrar_id": …} or {"staff": true}. */
static json_t *author_json(const char *registrar_id)
{
    return registrar_id[0] ? json_pack("{s:s}", "registrar_id", registrar_id)
                           : json_pack("{s:b}", "staff", true);
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct siga_proposal_row *p = row;
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:i, s:i, s:b, s:s, s:s, s:s, s:o}", "id",
                     p->id, "title", p->title, "description", p->description ? p->description : "",
                     "area", siga_area_name(p->area), "author", author_json(p->author_registrar_id),
                     "status", siga_status_name(p->status), "status_note",
                     api_json_text(p->status_note), "votes", p->votes, "comments", p->comments,
                     "voted_by_me", ctx->who.role == ROLE_REGISTRAR && p->voted_by_me, "created_at",
                     p->created_at, "updated_at", p->updated_at, "status_changed_at",
                     p->status_changed_at, "allowed_actions",
                     resource_actions(&api_siga_proposals, p, ctx));
}

static void text_into(char *out, size_t cap, const json_t *doc, const char *name)
{
    snprintf(out, cap, "%s", json_string_value(json_object_get(doc, name)) ?: "");
}

/* The editable members, as a merge patch applies to them. */
static json_t *proposal_json(const void *row)
{
    const struct siga_proposal_row *p = row;
    return json_pack("{s:s, s:s, s:s}", "title", p->title, "description",
                     p->description ? p->description : "", "area", siga_area_name(p->area));
}

/* A validated document's members into p (which owns what it gets); the
 * field table checked every member, and no rule spans them. */
static bool proposal_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    (void)pt, (void)errors;
    struct siga_proposal_row *p = row;
    text_into(p->title, sizeof p->title, doc, "title");
    p->description = xstrdup(json_string_value(json_object_get(doc, "description")) ?: "");
    if (!siga_area_parse(json_string_value(json_object_get(doc, "area")), &p->area))
        p->area = SIGA_AREA_OTHER; /* the field table checked it */
    return true;
}

static void keep(const void *current, void *next)
{
    struct siga_proposal_row *out = next;
    snprintf(out->id, sizeof out->id, "%s", ((const struct siga_proposal_row *)current)->id);
}

static const struct resource_editable editable = {proposal_json, keep, proposal_from};

static bool valid_area(const char *s)
{
    enum siga_area a;
    return siga_area_parse(s, &a);
}

/* Registrars and staff see every proposal; a registrar's rows say whether
 * it voted for each (the voter filter, never a query parameter). */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    (void)resp;
    if (ctx->who.role == ROLE_REGISTRAR) {
        free(q->filters[STORE_SIGA_VOTER]);
        q->filters[STORE_SIGA_VOTER] = xstrdup(ctx->who.registrar_id);
    }
    return true;
}

static const struct resource_filter filters[] = {
    [STORE_SIGA_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_SIGA_AREA] = {"area", RESOURCE_FILTER_LIST, valid_area},
    [STORE_SIGA_VOTER] = {"voter", RESOURCE_FILTER_LIST, resource_valid_uuid}, /* scope's */
    {0},
};

static const struct resource_list list = {
    .sorts = store_siga_sorts,
    .nsorts = STORE_SIGA_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_siga_kind,
};

const struct resource api_siga_proposals = {
    .kind = &service_siga_kind,
    .path = "/v1/siga/proposals",
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .list = &list,
    .action_body = action_body,
};

/* --- proposing ----------------------------------------------------------- */

struct proposed {
    struct siga_proposal_row in, row;
};

static enum status propose(const struct service_call *call, void *arg,
                           struct service_outcome *outcome)
{
    (void)outcome;
    struct proposed *p = arg;
    return service_siga_create(call, &p->in, &p->row);
}

static void render_proposed(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct proposed *p = arg;
    resource_set_created(resp, ctx, &api_siga_proposals, &p->row, NULL);
}

/* The caller as an author: its registrar, or staff (empty). */
static void author_into(char out[37], const struct req_ctx *ctx)
{
    snprintf(out, 37, "%.36s", ctx->who.role == ROLE_REGISTRAR ? ctx->who.registrar_id : "");
}

int api_siga_proposals_create(const struct _u_request *req, struct _u_response *resp,
                              struct req_ctx *ctx)
{
    struct proposed p = {0};
    author_into(p.in.author_registrar_id, ctx);
    struct resource_change change = {propose, &p, render_proposed, &p, NULL, NULL, NULL};
    int rc =
        resource_create(req, resp, ctx, &api_siga_proposals, create_fields, NULL, &p.in, &change);
    siga_proposal_row_cleanup(&p.in);
    siga_proposal_row_cleanup(&p.row);
    return rc;
}

/* --- votes --------------------------------------------------------------- */

static void render_vote(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    const struct siga_vote_result *v = arg;
    api_set_json(resp, 200,
                 json_pack("{s:s, s:b, s:i}", "proposal_id", api_param(ctx, "id"), "voted",
                           v->voted, "votes", v->votes));
}

int api_siga_vote(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct siga_vote_result v = {0};
    return resource_act_with(req, resp, ctx, SIGA_ACT_VOTE, &v, render_vote, &v);
}

int api_siga_unvote(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct siga_vote_result v = {0};
    return resource_act_with(req, resp, ctx, SIGA_ACT_UNVOTE, &v, render_vote, &v);
}

/* --- comments ------------------------------------------------------------ */

#define COMMENT_BODY(req) FIELD_TEXT("body", (req) | FIELD_LINES, 1, 5000)

static const struct field comment_create_fields[] = {
    COMMENT_BODY(FIELD_REQUIRED),
    {0},
};

static const struct field comment_patch_fields[] = {
    COMMENT_BODY(0),
    {0},
};

/* A hidden comment is its stub: no body, the reason it was hidden. */
static json_t *render_comment(const void *row, const struct req_ctx *ctx)
{
    const struct siga_comment_row *c = row;
    bool hidden = c->status == SIGA_COMMENT_HIDDEN;
    return json_pack("{s:s, s:s, s:o, s:o, s:b, s:o, s:o, s:s, s:o}", "id", c->id, "proposal_id",
                     c->proposal_id, "author", author_json(c->author_registrar_id), "body",
                     hidden ? json_null() : api_json_text(c->body), "hidden", hidden,
                     "hidden_reason", api_json_text(c->hidden_reason), "edited_at",
                     api_json_text(c->edited_at), "created_at", c->created_at, "allowed_actions",
                     resource_actions(&api_siga_comments, c, ctx));
}

static enum status comment_merge(const void *current, const json_t *patch, bool pt, void *next,
                                 json_t *errors)
{
    (void)pt, (void)errors;
    const struct siga_comment_row *cur = current;
    struct siga_comment_row *out = next;
    const char *body = json_string_value(json_object_get(patch, "body"));
    snprintf(out->id, sizeof out->id, "%s", cur->id);
    out->body = xstrdup(body ? body : cur->body ? cur->body : "");
    return ST_OK;
}

/* An edit past its window: 409 window-closed naming the rule. */
static int comment_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                           const struct service_outcome *outcome)
{
    if (st != ST_WINDOW_CLOSED || outcome->conflict == NULL)
        return RESOURCE_DEFAULT;
    return problem_send(resp, ctx, PROBLEM_WINDOW_CLOSED,
                        (struct problem_text){"A comment may be edited for 15 minutes only.",
                                              "Um comentário só pode ser editado durante 15 "
                                              "minutos."},
                        json_pack("{s:s}", "conflict", outcome->conflict));
}

/* A proposal's comments: the proposal is the path's, one the caller sees. */
static bool comment_scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    struct service_call call;
    struct siga_proposal_row p = {0};
    bool ok = resource_read(resp, ctx, &api_siga_proposals, &call, &p);
    if (ok) {
        free(q->filters[STORE_SIGA_COMMENT_PROPOSAL]);
        q->filters[STORE_SIGA_COMMENT_PROPOSAL] = xstrdup(p.id);
    }
    siga_proposal_row_cleanup(&p);
    return ok;
}

static const struct resource_filter comment_filters[] = {
    [STORE_SIGA_COMMENT_PROPOSAL] = {"proposal_id", RESOURCE_FILTER_LIST,
                                     resource_valid_uuid}, /* never a query parameter */
    {0},
};

static const struct resource_list comment_list = {
    .sorts = store_siga_comment_sorts,
    .nsorts = STORE_SIGA_COMMENT_SORTS,
    .filters = comment_filters,
    .scope = comment_scope,
    .kind = &service_siga_comment_kind,
    .default_sort = "created_at", /* a thread reads oldest first */
};

const struct resource api_siga_comments = {
    .kind = &service_siga_comment_kind,
    .path = "/v1/siga/comments",
    .render = render_comment,
    .patch_fields = comment_patch_fields,
    .merge = comment_merge,
    .refused = comment_refused,
    .list = &comment_list,
};

struct commented {
    struct siga_comment_row in, row;
};

static enum status comment(const struct service_call *call, void *arg,
                           struct service_outcome *outcome)
{
    (void)outcome;
    struct commented *c = arg;
    return service_siga_comment_create(call, &c->in, &c->row);
}

static void render_commented(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct commented *c = arg;
    resource_set_created(resp, ctx, &api_siga_comments, &c->row, NULL);
}

int api_siga_comments_create(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    struct service_call call;
    struct siga_proposal_row p = {0};
    json_t *doc = NULL;
    int rc = U_CALLBACK_COMPLETE;
    if (resource_read(resp, ctx, &api_siga_proposals, &call, &p))
        doc = body_read(req, resp, ctx, comment_create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc != NULL) {
        struct commented c = {0};
        snprintf(c.in.proposal_id, sizeof c.in.proposal_id, "%s", p.id);
        author_into(c.in.author_registrar_id, ctx);
        c.in.body = xstrdup(json_string_value(json_object_get(doc, "body")));
        struct resource_change change = {comment, &c, render_commented, &c, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_siga_comments, &change);
        siga_comment_row_cleanup(&c.in);
        siga_comment_row_cleanup(&c.row);
    }
    json_decref(doc);
    siga_proposal_row_cleanup(&p);
    return rc;
}
