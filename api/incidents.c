/* Incident reports over HTTP: the field tables of a report and an edit (by
 * role), how one renders, the list (a registrar sees its own; the CSV export
 * leaves TLP:RED out), reporting one, and the timeline of updates. Reading,
 * editing, history and acknowledge/investigate/resolve/close are the kit's
 * (resource.h); another registrar's incident reads as absent. */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_incident.h"
#include "store_incident.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)

/* What both sides write; staff write the rest (a registrar sending one of
 * them is refused, 422 not_writable). */
#define SHARED_FIELDS(req)                                                                         \
    FIELD_TEXT("title", (req), 1, 200), FIELD_TEXT("description", (req) | FIELD_LINES, 1, 10000),  \
        FIELD_STRS("affected_domains", 0, INCIDENT_DOMAINS_MAX, NULL, ERR_NONE, .item_min = 1,     \
                   .item_max = PT_DOMAIN_NAME_MAX * 4)
#define STAFF_FIELDS(req)                                                                          \
    {.name = "category", .type = FIELD_ENUM, .flags = (req), .values = incident_category_names},   \
        {.name = "severity",                                                                       \
         .type = FIELD_ENUM,                                                                       \
         .flags = (req),                                                                           \
         .values = incident_severity_names},                                                       \
        {.name = "tlp", .type = FIELD_ENUM, .flags = (req), .values = incident_tlp_names},         \
        {.name = "detected_at", .type = FIELD_TIMESTAMP, .flags = (req)},                          \
    {                                                                                              \
        .name = "reportable_to_cncs", .type = FIELD_BOOLEAN, .writers = STAFF_ONLY                 \
    }

/* A registrar reports its own incident with every detail but the CNCS flag;
 * staff may name a registrar. */
static const struct field create_fields[] = {
    SHARED_FIELDS(FIELD_REQUIRED),
    STAFF_FIELDS(FIELD_REQUIRED),
    {.name = "registrar_id", .type = FIELD_UUID, .writers = STAFF_ONLY},
    {0},
};

/* A registrar edits title, description and affected_domains (while
 * reported); staff every field but the status (until closed). */
static const struct field patch_fields[] = {
    SHARED_FIELDS(0),
    {.name = "category",
     .type = FIELD_ENUM,
     .values = incident_category_names,
     .writers = STAFF_ONLY},
    {.name = "severity",
     .type = FIELD_ENUM,
     .values = incident_severity_names,
     .writers = STAFF_ONLY},
    {.name = "tlp", .type = FIELD_ENUM, .values = incident_tlp_names, .writers = STAFF_ONLY},
    {.name = "detected_at", .type = FIELD_TIMESTAMP, .writers = STAFF_ONLY},
    {.name = "reportable_to_cncs", .type = FIELD_BOOLEAN, .writers = STAFF_ONLY},
    {.name = "registrar_id", .type = FIELD_UUID, .flags = FIELD_NULLABLE, .writers = STAFF_ONLY},
    {0},
};

/* The writable members, as a merge patch applies to them. */
static json_t *writable_json(const void *row)
{
    const struct incident_row *r = row;
    return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:b}", "registrar_id",
                     api_json_text(r->registrar_id), "title", r->title, "description",
                     r->description ? r->description : "", "category", r->category, "severity",
                     r->severity, "tlp", r->tlp, "affected_domains", r->affected_domains,
                     "detected_at", r->detected_at, "reportable_to_cncs", r->reportable_to_cncs);
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct incident_row *r = row;
    json_t *o = json_pack("{s:s}", "id", r->id);
    json_t *w = writable_json(r);
    json_object_update(o, w);
    json_decref(w);
    json_t *deadlines =
        r->reportable_to_cncs
            ? json_pack("{s:s, s:s, s:s}", "early_warning_due_at", r->early_warning_due_at,
                        "notification_due_at", r->notification_due_at, "final_report_due_at",
                        r->final_report_due_at)
            : json_null();
    json_t *meta = json_pack("{s:s, s:s, s:b, s:o, s:s, s:s, s:s, s:s, s:o}", "reported_at",
                             r->reported_at, "acknowledge_due_at", r->acknowledge_due_at, "overdue",
                             r->overdue, "cncs_deadlines", deadlines, "status",
                             incident_status_name(r->status), "created_at", r->created_at,
                             "updated_at", r->updated_at, "status_changed_at", r->status_changed_at,
                             "allowed_actions", resource_actions(&api_incidents, r, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

static void text_into(char *out, size_t cap, const json_t *doc, const char *name)
{
    snprintf(out, cap, "%s", json_string_value(json_object_get(doc, name)) ?: "");
}

/* A validated document's members into r (which owns what it gets); the
 * rules across them (the names normalized, no detection in the future) as
 * 422 errors. */
static bool from_doc(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct incident_row *r = row;
    text_into(r->registrar_id, sizeof r->registrar_id, doc, "registrar_id");
    text_into(r->title, sizeof r->title, doc, "title");
    r->description = xstrdup(json_string_value(json_object_get(doc, "description")) ?: "");
    text_into(r->category, sizeof r->category, doc, "category");
    text_into(r->severity, sizeof r->severity, doc, "severity");
    text_into(r->tlp, sizeof r->tlp, doc, "tlp");
    text_into(r->detected_at, sizeof r->detected_at, doc, "detected_at");
    r->reportable_to_cncs = json_is_true(json_object_get(doc, "reportable_to_cncs"));
    const json_t *names = json_object_get(doc, "affected_domains");
    size_t bad = 0;
    enum error_code why = ERR_NONE;
    r->affected_domains = names ? incident_domains_normalize(names, &bad, &why) : json_array();
    bool ok = true;
    if (r->affected_domains == NULL) {
        char pointer[48];
        snprintf(pointer, sizeof pointer, "/affected_domains/%zu", bad);
        schema_error(errors, pointer, NULL, why, pt);
        r->affected_domains = json_array();
        ok = false;
    }
    char now[UTIL_RFC3339_LEN + 1];
    util_rfc3339(time(NULL), now);
    if (strcmp(r->detected_at, now) > 0) {
        schema_error(errors, "/detected_at", NULL, ERR_FUTURE, pt);
        ok = false;
    }
    return ok;
}

static void keep(const void *current, void *next)
{
    struct incident_row *out = next;
    snprintf(out->id, sizeof out->id, "%s", ((const struct incident_row *)current)->id);
}

static const struct resource_editable editable = {writable_json, keep, from_doc};

static bool valid_severity(const char *s)
{
    for (size_t i = 0; incident_severity_names[i] != NULL; i++)
        if (strcmp(s, incident_severity_names[i]) == 0)
            return true;
    return false;
}

static bool valid_tlp(const char *s)
{
    for (size_t i = 0; incident_tlp_names[i] != NULL; i++)
        if (strcmp(s, incident_tlp_names[i]) == 0)
            return true;
    return false;
}

static bool valid_boolean(const char *s)
{
    return strcmp(s, "true") == 0 || strcmp(s, "false") == 0;
}

static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    return resource_scope_own(resp, ctx, q, STORE_INCIDENT_REGISTRAR);
}

/* RED never leaves: no TLP:RED incident in an export. */
static bool exportable(const void *row)
{
    return !incident_confidential_tlp(((const struct incident_row *)row)->tlp);
}

static const struct resource_filter filters[] = {
    [STORE_INCIDENT_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_INCIDENT_SEVERITY] = {"severity", RESOURCE_FILTER_LIST, valid_severity},
    [STORE_INCIDENT_TLP] = {"tlp", RESOURCE_FILTER_LIST, valid_tlp},
    [STORE_INCIDENT_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    [STORE_INCIDENT_OVERDUE] = {"overdue", RESOURCE_FILTER_LIST, valid_boolean},
    {0},
};

static const struct resource_list list = {
    .sorts = store_incident_sorts,
    .nsorts = STORE_INCIDENT_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_incident_kind,
    .exportable = exportable,
};

const struct resource api_incidents = {
    .kind = &service_incident_kind,
    .path = "/v1/incidents",
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .list = &list,
};

/* --- reporting ----------------------------------------------------------- */

struct created {
    struct incident_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct created *c = arg;
    return service_incident_create(call, &c->in, &c->row, outcome);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_incidents, &c->row, NULL);
}

int api_incidents_create(const struct _u_request *req, struct _u_response *resp,
                         struct req_ctx *ctx)
{
    json_t *doc = body_read(req, resp, ctx, create_fields, SCHEMA_CREATE, ctx->who.role, false);
    if (doc == NULL)
        return U_CALLBACK_COMPLETE;
    if (ctx->who.role == ROLE_REGISTRAR)
        json_object_set_new(doc, "registrar_id", json_string(ctx->who.registrar_id));
    struct created c = {0};
    json_t *errors = json_array();
    int rc;
    if (!from_doc(doc, &c.in, ctx->lang_pt, errors)) {
        rc = problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                          json_pack("{s:O}", "errors", errors));
    } else {
        struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_incidents, &change);
    }
    json_decref(errors);
    incident_row_cleanup(&c.in);
    incident_row_cleanup(&c.row);
    json_decref(doc);
    return rc;
}

/* --- the timeline -------------------------------------------------------- */

static const struct field update_fields[] = {
    FIELD_TEXT("body", FIELD_REQUIRED | FIELD_LINES, 1, 5000),
    {0},
};

/* The author is a registrar or staff, never a staff member's identity. */
static json_t *update_json(const struct incident_update_row *u)
{
    json_t *author = u->registrar_id[0] ? json_pack("{s:s}", "registrar_id", u->registrar_id)
                                        : json_pack("{s:b}", "staff", true);
    return json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", u->id, "incident_id", u->incident_id,
                     "author", author, "body", u->body ? u->body : "", "created_at", u->created_at);
}

int api_incident_updates_list(const struct _u_request *req, struct _u_response *resp,
                              struct req_ctx *ctx)
{
    (void)req;
    struct service_call call;
    struct incident_row incident = {0};
    int rc = U_CALLBACK_COMPLETE;
    if (resource_read(resp, ctx, &api_incidents, &call, &incident)) {
        struct incident_update_row *rows = NULL;
        int count = 0;
        enum status st = service_incident_updates(&call, incident.id, &rows, &count);
        if (st == ST_OK) {
            json_t *items = json_array();
            for (int i = 0; i < count; i++)
                json_array_append_new(items, update_json(&rows[i]));
            rc = api_send_page(resp, ctx, items, NULL, false, 0);
        } else {
            rc = problem_send_status(resp, ctx, st);
        }
        for (int i = 0; rows != NULL && i < count; i++)
            incident_update_row_cleanup(&rows[i]);
        free(rows);
    }
    incident_row_cleanup(&incident);
    return rc;
}

struct posted {
    const char *incident_id;
    const char *body;
    struct incident_update_row row;
};

static enum status post(const struct service_call *call, void *arg, struct service_outcome *outcome)
{
    struct posted *p = arg;
    return service_incident_post_update(call, p->incident_id, p->body, &p->row, outcome);
}

static void render_posted(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    (void)ctx;
    struct posted *p = arg;
    api_set_json(resp, 201, update_json(&p->row));
}

int api_incident_updates_create(const struct _u_request *req, struct _u_response *resp,
                                struct req_ctx *ctx)
{
    struct service_call call;
    struct incident_row incident = {0};
    json_t *doc = NULL;
    int rc = U_CALLBACK_COMPLETE;
    /* the incident first: another registrar's is absent whatever the body */
    if (resource_read(resp, ctx, &api_incidents, &call, &incident) &&
        (doc = body_read(req, resp, ctx, update_fields, SCHEMA_CREATE, ctx->who.role, false))) {
        struct posted p = {
            incident.id, json_string_value(json_object_get(doc, "body")), {.body = NULL}};
        struct resource_change change = {post, &p, render_posted, &p, NULL, NULL, NULL};
        rc = resource_change(resp, ctx, &api_incidents, &change);
        incident_update_row_cleanup(&p.row);
    }
    json_decref(doc);
    incident_row_cleanup(&incident);
    return rc;
}
