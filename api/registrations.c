/* Registrations over HTTP: the attendees' field table, how one renders,
 * registering (POST /v1/events/{id}/registrations) and an event's list (a
 * registrar sees its own). Reading, editing the attendees, history, cancel
 * and check-in are the kit's (resource.h); another registrar's
 * registration reads as absent (the kind's owner, service.h). */
#include "auth.h"
#include "body.h"
#include "eligibility_answer.h"
#include "handlers.h"
#include "merge.h"
#include "problem.h"
#include "resource.h"
#include "service_event.h"
#include "service_registration.h"
#include "store_registration.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)

static const struct field attendee[] = {
    FIELD_TEXT("name", FIELD_REQUIRED, 1, 200),
    FIELD_RULE("email", FIELD_REQUIRED, 254, validate_email, ERR_EMAIL),
    {0},
};

/* 50: the most any event allows (max_attendees_per_registrar). */
#define ATTENDEES(flags) FIELD_OBJS("attendees", (flags), attendee, 1, 50)

static const struct field create_fields[] = {
    ATTENDEES(FIELD_REQUIRED),
    {.name = "registrar_id", .type = FIELD_UUID, .writers = STAFF_ONLY},
    {0},
};

static const struct field patch_fields[] = {
    ATTENDEES(0),
    {0},
};

/* The same email twice in one registration: 422 at the second. */
static bool distinct_emails(const json_t *attendees, bool pt, json_t *errors)
{
    size_t n = json_array_size(attendees);
    bool ok = true;
    for (size_t i = 1; i < n; i++) {
        const char *e = json_string_value(json_object_get(json_array_get(attendees, i), "email"));
        for (size_t j = 0; e != NULL && j < i; j++) {
            const char *o =
                json_string_value(json_object_get(json_array_get(attendees, j), "email"));
            if (o != NULL && strcasecmp(e, o) == 0) {
                char pointer[48];
                snprintf(pointer, sizeof pointer, "/attendees/%zu/email", i);
                schema_error(errors, pointer, NULL, ERR_REPEATED, pt);
                ok = false;
                break;
            }
        }
    }
    return ok;
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct registration_row *r = row;
    return json_pack("{s:s, s:s, s:s, s:s, s:O, s:i, s:o, s:b, s:o, s:o, s:s, s:s, s:s, s:o}", "id",
                     r->id, "event_id", r->event_id, "registrar_id", r->registrar_id, "status",
                     registration_status_name(r->status), "attendees", r->attendees, "seats",
                     r->seats, "waitlist_position",
                     r->waitlist_position > 0 ? json_integer(r->waitlist_position) : json_null(),
                     "covered_expenses", r->covered_expenses, "draw_id", api_json_text(r->draw_id),
                     "reason", api_json_text(r->reason), "created_at", r->created_at, "updated_at",
                     r->updated_at, "status_changed_at", r->status_changed_at, "allowed_actions",
                     resource_actions(&api_registrations, r, ctx));
}

static enum status merge(const void *current, const json_t *patch, bool pt, void *next,
                         json_t *errors)
{
    const struct registration_row *cur = current;
    struct registration_row *out = next;
    json_t *attendees = json_object_get(patch, "attendees");
    out->attendees = json_deep_copy(attendees ? attendees : cur->attendees);
    bool ok = distinct_emails(out->attendees, pt, errors);
    if ((int)json_array_size(out->attendees) > cur->event_max_attendees) {
        schema_error(errors, "/attendees", NULL, ERR_TOO_MANY, pt);
        ok = false;
    }
    return ok ? ST_OK : ST_INVALID;
}

/* A failed check of eligibility: its own problem (not-eligible is 403 for
 * an event). */
static int refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome)
{
    return eligibility_refused(resp, ctx, st, outcome, ELIGIBILITY_FOR_EVENT, 403);
}

/* An event's registrations: the event is the path's, and it must be one the
 * caller may see; staff see all of them, a registrar its own. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    struct service_call call;
    struct event_row event = {0};
    bool ok = resource_read(resp, ctx, &api_events, &call, &event) &&
              resource_scope_own(resp, ctx, q, STORE_REGISTRATION_REGISTRAR);
    if (ok) {
        free(q->filters[STORE_REGISTRATION_EVENT]);
        q->filters[STORE_REGISTRATION_EVENT] = xstrdup(event.id);
    }
    event_row_cleanup(&event);
    return ok;
}

static const struct resource_filter filters[] = {
    [STORE_REGISTRATION_EVENT] = {"event_id", RESOURCE_FILTER_LIST,
                                  resource_valid_uuid}, /* never a query parameter */
    [STORE_REGISTRATION_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    [STORE_REGISTRATION_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_registration_sorts,
    .nsorts = STORE_REGISTRATION_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_registration_kind,
};

const struct resource api_registrations = {
    .kind = &service_registration_kind,
    .path = "/v1/registrations",
    .render = render,
    .patch_fields = patch_fields,
    .merge = merge,
    .refused = refused,
    .list = &list,
};

/* --- registering --------------------------------------------------------- */

struct registered {
    struct registration_new in;
    struct registration_row row;
};

static enum status do_register(const struct service_call *call, void *arg,
                               struct service_outcome *outcome)
{
    struct registered *r = arg;
    return service_registration_create(call, &r->in, &r->row, outcome);
}

static void render_registered(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct registered *r = arg;
    resource_set_created(resp, ctx, &api_registrations, &r->row, NULL);
}

int api_registrations_create(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    struct service_call call;
    struct event_row event = {0};
    if (!resource_read(resp, ctx, &api_events, &call, &event)) {
        event_row_cleanup(&event);
        return U_CALLBACK_COMPLETE;
    }
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    const char *registrar_id = ctx->who.role == ROLE_REGISTRAR
                                   ? ctx->who.registrar_id
                                   : json_string_value(json_object_get(doc, "registrar_id"));
    json_t *errors = json_array();
    int rc = U_CALLBACK_COMPLETE;
    if (doc != NULL && registrar_id == NULL)
        schema_error(errors, "/registrar_id", NULL, ERR_REQUIRED, ctx->lang_pt);
    if (doc != NULL)
        distinct_emails(json_object_get(doc, "attendees"), ctx->lang_pt, errors);
    if (doc != NULL && json_array_size(errors) > 0) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
    } else if (doc != NULL) {
        struct registered r = {.in = {event.id, registrar_id, REGISTRATION_CONFIRMED,
                                      json_object_get(doc, "attendees"), false, NULL}};
        struct resource_change change = {do_register, &r, render_registered, &r, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_registrations, &change);
        registration_row_cleanup(&r.row);
    }
    json_decref(errors);
    json_decref(doc);
    event_row_cleanup(&event);
    return rc;
}
