/* Events over HTTP: the field tables of a creation and an edit, how one
 * renders, the public list, the creation, eligibility and the calendars.
 * Reading, editing, history and publish/cancel/close are the kit's
 * (resource.h); registrations are api/registrations.c's. */
#include "auth.h"
#include "body.h"
#include "eligibility_answer.h"
#include "handlers.h"
#include "ical.h"
#include "problem.h"
#include "resource.h"
#include "service_event.h"
#include "service_registration.h"
#include "store_event.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The members a creation and an edit share; either may set the nullable
 * ones to null (none). */
#define NULLABLE (FIELD_NULLABLE | FIELD_NULL_CREATE)
#define EDITABLE_FIELDS(req)                                                                       \
    FIELD_TEXT("title", (req), 1, 200),                                                            \
        FIELD_TEXT("description", NULLABLE | FIELD_LINES, 1, 5000),                                \
        FIELD_TEXT("location", (req), 1, 200),                                                     \
        {.name = "starts_at", .type = FIELD_TIMESTAMP, .flags = (req)},                            \
        {.name = "ends_at", .type = FIELD_TIMESTAMP, .flags = (req)},                              \
        {.name = "capacity", .type = FIELD_INTEGER, .flags = NULLABLE, .min = 1, .max = 100000},   \
        {.name = "registration_opens_at", .type = FIELD_TIMESTAMP, .flags = NULLABLE},             \
        {.name = "registration_closes_at", .type = FIELD_TIMESTAMP, .flags = NULLABLE},            \
        FIELD_RULE("eligibility", 0, PROGRAM_CODE_MAX, event_eligibility_valid, ERR_PROGRAM_CODE), \
        {.name = "max_attendees_per_registrar", .type = FIELD_INTEGER, .min = 1, .max = 50},       \
    {                                                                                              \
        .name = "waitlist", .type = FIELD_BOOLEAN                                                  \
    }

static const struct field create_fields[] = {
    {.name = "kind", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = event_kind_names},
    EDITABLE_FIELDS(FIELD_REQUIRED),
    {0},
};

static const struct field patch_fields[] = {
    EDITABLE_FIELDS(0),
    {0},
};

static json_t *int_or_null(int v)
{
    return v > 0 ? json_integer(v) : json_null();
}

/* The editable members, as a merge patch applies to them. */
static json_t *editable_json(const void *row)
{
    const struct event_row *e = row;
    return json_pack("{s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:i, s:b}", "title", e->title,
                     "description", api_json_text(e->description), "location", e->location,
                     "starts_at", e->starts_at, "ends_at", e->ends_at, "capacity",
                     int_or_null(e->capacity), "registration_opens_at", api_json_text(e->opens_at),
                     "registration_closes_at", api_json_text(e->closes_at), "eligibility",
                     e->eligibility, "max_attendees_per_registrar", e->max_attendees, "waitlist",
                     e->waitlist);
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct event_row *e = row;
    json_t *o = json_pack("{s:s, s:s}", "id", e->id, "kind", event_kind_name(e->kind));
    json_t *editable = editable_json(e);
    json_object_update(o, editable);
    json_decref(editable);
    json_t *meta = json_pack(
        "{s:i, s:o, s:i, s:b, s:s, s:s, s:s, s:s, s:o}", "seats_taken", e->seats_taken,
        "seats_remaining",
        e->capacity > 0
            ? json_integer(e->capacity > e->seats_taken ? e->capacity - e->seats_taken : 0)
            : json_null(),
        "waitlist_length", e->waitlist_length, "check_in_closed", e->check_in_closed, "status",
        event_status_name(e->status), "created_at", e->created_at, "updated_at", e->updated_at,
        "status_changed_at", e->status_changed_at, "allowed_actions",
        resource_actions(&api_events, e, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Only staff see a draft. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    return principal_is_staff(&ctx->who) || ((const struct event_row *)row)->status != EVENT_DRAFT;
}

static void text_into(char *out, size_t cap, const json_t *doc, const char *name)
{
    snprintf(out, cap, "%s", json_string_value(json_object_get(doc, name)) ?: "");
}

/* A validated document's editable members into e (which owns what it gets;
 * absent members keep e's defaults), then the rules across fields. */
static bool editable_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct event_row *e = row;
    text_into(e->title, sizeof e->title, doc, "title");
    const char *description = json_string_value(json_object_get(doc, "description"));
    e->description = description ? xstrdup(description) : NULL;
    text_into(e->location, sizeof e->location, doc, "location");
    text_into(e->starts_at, sizeof e->starts_at, doc, "starts_at");
    text_into(e->ends_at, sizeof e->ends_at, doc, "ends_at");
    e->capacity = (int)json_integer_value(json_object_get(doc, "capacity"));
    text_into(e->opens_at, sizeof e->opens_at, doc, "registration_opens_at");
    text_into(e->closes_at, sizeof e->closes_at, doc, "registration_closes_at");
    if (json_is_string(json_object_get(doc, "eligibility")))
        text_into(e->eligibility, sizeof e->eligibility, doc, "eligibility");
    if (json_is_integer(json_object_get(doc, "max_attendees_per_registrar")))
        e->max_attendees =
            (int)json_integer_value(json_object_get(doc, "max_attendees_per_registrar"));
    if (json_is_boolean(json_object_get(doc, "waitlist")))
        e->waitlist = json_is_true(json_object_get(doc, "waitlist"));
    struct field_issue issues[EVENT_MAX_ISSUES];
    return schema_issues(errors, issues, event_check(e, issues, EVENT_MAX_ISSUES), pt);
}

static void keep(const void *current, void *next)
{
    const struct event_row *cur = current;
    struct event_row *out = next;
    snprintf(out->id, sizeof out->id, "%s", cur->id);
    out->kind = cur->kind;
    out->seats_taken = cur->seats_taken;
}

static const struct resource_editable editable = {editable_json, keep, editable_from};

static bool valid_kind(const char *s)
{
    enum event_kind k;
    return event_kind_parse(s, &k);
}

static const struct resource_filter filters[] = {
    [STORE_EVENT_KIND] = {"kind", RESOURCE_FILTER_LIST, valid_kind},
    [STORE_EVENT_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_EVENT_FROM] = {"from", RESOURCE_FILTER_TIMESTAMP, NULL},
    [STORE_EVENT_TO] = {"to", RESOURCE_FILTER_TIMESTAMP, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_event_sorts,
    .nsorts = STORE_EVENT_SORTS,
    .filters = filters,
    .scope = resource_scope_public, /* no drafts but for staff */
    .kind = &service_event_kind,
};

const struct resource api_events = {
    .kind = &service_event_kind,
    .path = "/v1/events",
    .readable = readable,
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .list = &list,
    .public_max_age = 60, /* the public calendar of events */
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct event_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_event_create(call, &c->in, &c->row, outcome);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_events, &c->row, NULL);
}

/* The kind, which no edit changes, then the editable members. */
static bool build(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct event_row *e = row;
    if (!event_kind_parse(json_string_value(json_object_get(doc, "kind")), &e->kind))
        e->kind = EVENT_CONFERENCE; /* the field table checked it */
    return editable_from(doc, e, pt, errors);
}

int api_events_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct created c = {.in = {.max_attendees = 1, .eligibility = EVENT_ELIGIBILITY_ACCREDITED}};
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    int rc = resource_create(req, resp, ctx, &api_events, create_fields, build, &c.in, &change);
    event_row_cleanup(&c.in);
    event_row_cleanup(&c.row);
    return rc;
}

/* --- eligibility --------------------------------------------------------- */

int api_events_eligibility(const struct _u_request *req, struct _u_response *resp,
                           struct req_ctx *ctx)
{
    (void)req;
    const char *registrar_id = eligibility_subject(resp, ctx);
    struct service_call call;
    struct event_row event = {0};
    int rc = U_CALLBACK_COMPLETE;
    if (registrar_id != NULL && resource_read(resp, ctx, &api_events, &call, &event)) {
        struct eligibility e;
        enum registration_status placement;
        enum status st =
            service_registration_eligibility(&call, event.id, registrar_id, &e, &placement);
        if (st == ST_OK) {
            json_t *body = eligibility_json(&e, ELIGIBILITY_FOR_EVENT, "event_id", event.id,
                                            registrar_id, ctx->lang_pt);
            json_object_set_new(body, "placement",
                                e.eligible ? json_string(registration_status_name(placement))
                                           : json_null());
            rc = api_send_json(resp, ctx, 200, body);
        } else {
            rc = problem_send_status(resp, ctx, st);
        }
    }
    event_row_cleanup(&event);
    return rc;
}

/* --- calendars ----------------------------------------------------------- */

#define CALENDAR_TYPE "text/calendar; charset=utf-8"
#define CALENDAR_UID_HOST "parceria.dns.pt"

static const char *ical_status(enum event_status s)
{
    return s == EVENT_CANCELLED ? "CANCELLED" : s == EVENT_DRAFT ? "TENTATIVE" : "CONFIRMED";
}

static bool ical_add(struct ical *c, const struct event_row *e)
{
    char uid[64];
    snprintf(uid, sizeof uid, "%s@" CALENDAR_UID_HOST, e->id);
    struct ical_event v = {.uid = uid,
                           .dtstamp = e->updated_at,
                           .last_modified = e->updated_at,
                           .starts_at = e->starts_at,
                           .ends_at = e->ends_at,
                           .summary = e->title,
                           .location = e->location,
                           .description = e->description,
                           .status = ical_status(e->status),
                           .category = event_kind_name(e->kind),
                           .sequence = e->sequence};
    return ical_event(c, &v);
}

/* Answers the calendar c (ended here) with its ETag, cacheable by anyone
 * when the caller is anonymous. */
static int send_calendar(const struct _u_request *req, struct _u_response *resp,
                         struct req_ctx *ctx, struct ical *c, bool ok)
{
    if (!ok) { /* a row the store wrote that the writer refuses: never a client's doing */
        ical_cleanup(c);
        return problem_send_status(resp, ctx, ST_UNAVAILABLE);
    }
    size_t len = 0;
    char *text = ical_end(c, &len);
    char etag[API_ETAG_MAX];
    api_body_etag(text, len, etag);
    if (resource_public_read(&api_events, ctx))
        api_cache_public(resp, api_events.public_max_age);
    int rc = api_send_tagged_as(req, resp, ctx, CALENDAR_TYPE, text, len, etag);
    free(text);
    return rc;
}

int api_events_calendar(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct service_call call;
    struct event_row event = {0};
    int rc = U_CALLBACK_COMPLETE;
    if (resource_read(resp, ctx, &api_events, &call, &event)) {
        struct ical c;
        ical_begin(&c, NULL);
        rc = send_calendar(req, resp, ctx, &c, ical_add(&c, &event));
    }
    event_row_cleanup(&event);
    return rc;
}

int api_events_calendar_feed(const struct _u_request *req, struct _u_response *resp,
                             struct req_ctx *ctx)
{
    struct service_call call;
    struct page_result page = {0};
    if (!resource_call(resp, ctx, &call, NULL, NULL))
        return U_CALLBACK_COMPLETE;
    enum status st = service_event_calendar(&call, &page);
    if (st != ST_OK)
        return problem_send_status(resp, ctx, st);
    struct ical c;
    bool ok = true;
    ical_begin(&c, ".PT — Parceria");
    for (int i = 0; ok && i < page.count; i++)
        ok = ical_add(&c, (const struct event_row *)page.rows + i);
    service_page_free(&service_event_kind, &page);
    return send_calendar(req, resp, ctx, &c, ok);
}
