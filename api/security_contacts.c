/* PTSOC security contacts over HTTP: staff's check rounds (start, list,
 * one with its counts), the public confirmation by the emailed token (one
 * 404 for unknown, used or expired), a registrar's security and abuse
 * contacts with their latest verification [staff; own], and staff's list
 * of registrars with no reachable security contact (and its CSV). */
#include "auth.h"
#include "body.h"
#include "guard.h"
#include "handlers.h"
#include "newsletter.h"
#include "principal.h"
#include "problem.h"
#include "resource.h"
#include "service_ptsoc.h"
#include "service_registrar.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* --- rounds ---------------------------------------------------------------- */

static json_t *render_round(const void *row, const struct req_ctx *ctx)
{
    (void)ctx;
    const struct ptsoc_round_row *r = row;
    return json_pack("{s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I}}", "id", r->id, "status",
                     ptsoc_round_status_name(r->status), "started_at", r->started_at, "finished_at",
                     api_json_text(r->finished_at), "counts", "pending", (json_int_t)r->pending,
                     "verified", (json_int_t)r->verified, "unreachable",
                     (json_int_t)r->unreachable);
}

static const struct resource_list rounds = {
    .sorts = store_ptsoc_round_sorts,
    .nsorts = STORE_PTSOC_ROUND_SORTS,
    .kind = &service_ptsoc_round_kind,
};

/* A round while another runs: 409 duplicate naming the rule. */
static int round_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                         const struct service_outcome *outcome)
{
    if (st != ST_CONFLICT || outcome->conflict == NULL)
        return RESOURCE_DEFAULT;
    return problem_send(resp, ctx, PROBLEM_DUPLICATE,
                        (struct problem_text){"A check round is running already.",
                                              "Já decorre uma ronda de verificação."},
                        json_pack("{s:s}", "conflict", outcome->conflict));
}

const struct resource api_security_contact_checks = {
    .kind = &service_ptsoc_round_kind,
    .path = "/v1/security-contact-checks",
    .render = render_round,
    .refused = round_refused,
    .list = &rounds,
};

struct started {
    struct ptsoc_round_row row;
};

static enum status start(const struct service_call *call, void *arg,
                         struct service_outcome *outcome)
{
    struct started *s = arg;
    enum status st = service_ptsoc_start(call, &s->row);
    if (st == ST_CONFLICT)
        outcome->conflict = "round-running";
    return st;
}

static void render_started(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct started *s = arg;
    resource_set_created(resp, ctx, &api_security_contact_checks, &s->row, NULL);
}

int api_security_contact_checks_create(const struct _u_request *req, struct _u_response *resp,
                                       struct req_ctx *ctx)
{
    static const struct field none[] = {{0}};
    json_t *doc = body_read(req, resp, ctx, none, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL) /* the body is an empty object */
        return U_CALLBACK_COMPLETE;
    json_decref(doc);
    struct started s;
    memset(&s, 0, sizeof s);
    struct resource_change change = {start, &s, render_started, &s, NULL, NULL, NULL};
    return resource_change(resp, ctx, &api_security_contact_checks, &change);
}

/* --- the public confirmation ------------------------------------------------ */

static const struct field token_fields[] = {
    FIELD_RULE("token", FIELD_REQUIRED, 43, newsletter_token_valid, ERR_FORMAT),
    {0},
};

/* Unknown, used or expired: one answer that does not say which. */
static int token_missed(struct _u_response *resp, struct req_ctx *ctx)
{
    return problem_send(resp, ctx, PROBLEM_NOT_FOUND,
                        (struct problem_text){"This link is unknown, has expired or was used.",
                                              "Esta ligação é desconhecida, expirou ou já foi "
                                              "usada."},
                        NULL);
}

static json_t *render_unreachable(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)ctx, (void)full;
    const struct ptsoc_unreachable_row *r = row;
    return json_pack("{s:s, s:s, s:s, s:o}", "registrar_id", r->registrar_id, "trade_name",
                     r->trade_name, "reason", r->reason, "latest_check_id",
                     api_json_text(r->check_id));
}

static const struct resource_list unreachable = {
    .sorts = store_ptsoc_unreachable_sorts,
    .nsorts = STORE_PTSOC_UNREACHABLE_SORTS,
    .default_sort = "created_at",
    .row_size = sizeof(struct ptsoc_unreachable_row),
    .cleanup = store_ptsoc_unreachable_cleanup,
    .fetch = service_ptsoc_unreachable,
    .render = render_unreachable,
};

const struct resource api_security_contacts = {
    .path = "/v1/security-contacts",
    .list = &unreachable,
};

struct confirmed {
    const char *token;
    struct _u_response *resp;
    struct req_ctx *ctx;
    struct ptsoc_verification_row row;
    bool missed; /* no pending verification has this token */
};

static enum status limits(PGconn *conn, struct confirmed *c, bool hit)
{
    const char *kinds[] = {"ip"}, *values[] = {c->ctx->client_ip};
    return guard_public_limits(conn, hit, c->resp, c->ctx, "security-contact", kinds, values, 1);
}

static enum status look_at_limits(PGconn *conn, void *arg)
{
    return limits(conn, arg, false);
}

static enum status count_request(PGconn *conn, void *arg)
{
    return limits(conn, arg, true);
}

static enum status confirm(const struct service_call *call, void *arg,
                           struct service_outcome *outcome)
{
    (void)outcome;
    struct confirmed *c = arg;
    bool found = false;
    enum status st = service_ptsoc_confirm(call, c->token, &c->row, &found);
    c->missed = !found; /* counted by the public limit all the same */
    return st;
}

static void render_confirmed(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct confirmed *c = arg;
    if (c->missed) {
        token_missed(resp, ctx);
        return;
    }
    api_set_json(resp, 200,
                 json_pack("{s:{s:s, s:s}, s:s, s:s}", "registrar", "id", c->row.registrar_id,
                           "trade_name", c->row.trade_name, "type", c->row.type, "verified_at",
                           c->row.verified_at));
}

int api_security_contacts_confirm(const struct _u_request *req, struct _u_response *resp,
                                  struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, token_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    struct confirmed c = {
        .token = json_string_value(json_object_get(doc, "token")), .resp = resp, .ctx = ctx};
    struct resource_change change = {confirm,       &c, render_confirmed, &c, look_at_limits,
                                     count_request, &c};
    int rc = resource_change(resp, ctx, &api_security_contacts, &change);
    json_decref(doc);
    return rc;
}

/* --- a registrar's contacts ------------------------------------------------- */

static json_t *render_contact(const struct ptsoc_verification_row *r)
{
    json_t *latest = r->id[0] ? json_pack("{s:s, s:s, s:s, s:o, s:o}", "check_id", r->check_id,
                                          "status", ptsoc_status_name(r->status), "sent_at",
                                          r->sent_at, "reminded_at", api_json_text(r->reminded_at),
                                          "verified_at", api_json_text(r->verified_at))
                              : json_null();
    return json_pack("{s:s, s:s, s:o}", "type", r->type, "email", r->email, "latest", latest);
}

int api_registrar_security_contacts(const struct _u_request *req, struct _u_response *resp,
                                    struct req_ctx *ctx)
{
    (void)req;
    const char *id = api_param(ctx, "id");
    if (id == NULL || !util_is_uuid(id) ||
        (!principal_is_staff(&ctx->who) && strcmp(ctx->who.registrar_id, id) != 0))
        return problem_send_status(resp, ctx, ST_NOT_FOUND);
    struct service_call call;
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    struct registrar_row registrar = {0};
    struct ptsoc_verification_row *rows = NULL;
    int n = 0;
    enum status st = service_get(&call, &service_registrar_kind, id, &registrar);
    if (st == ST_OK)
        st = service_ptsoc_contacts(&call, id, &rows, &n);
    int rc;
    if (st != ST_OK) {
        rc = problem_send_status(resp, ctx, st);
    } else {
        json_t *items = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(items, render_contact(&rows[i]));
        rc = api_send_json(resp, ctx, 200,
                           json_pack("{s:s, s:s, s:o}", "registrar_id", id, "trade_name",
                                     registrar.trade_name, "items", items));
    }
    free(rows);
    registrar_row_cleanup(&registrar);
    return rc;
}
