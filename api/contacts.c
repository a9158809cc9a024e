/* .PT's contact mailboxes over HTTP: the field tables of a creation and an
 * edit, how one renders, the public list (active mailboxes by position)
 * and the creation. Reading and editing are the kit's (resource.h); a
 * mailbox is addressed by its topic. */
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "problem.h"
#include "resource.h"
#include "service_contact.h"
#include "store_contact_mailbox.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const struct field names[] = {
    FIELD_TEXT("pt", FIELD_REQUIRED, 1, 100),
    FIELD_TEXT("en", FIELD_REQUIRED, 1, 100),
    {0},
};
static const struct field descriptions[] = {
    FIELD_TEXT("pt", FIELD_REQUIRED | FIELD_LINES, 1, 500),
    FIELD_TEXT("en", FIELD_REQUIRED | FIELD_LINES, 1, 500),
    {0},
};

/* The members a creation and an edit share; either may set the
 * description to null (none). */
#define EDITABLE_FIELDS(req)                                                                       \
    FIELD_OBJ("name", (req), names), FIELD_RULE("email", (req), 254, validate_email, ERR_EMAIL),   \
        FIELD_OBJ("description", FIELD_NULLABLE | FIELD_NULL_CREATE, descriptions),                \
        {.name = "position", .type = FIELD_INTEGER, .min = 0, .max = 100000},                      \
    {                                                                                              \
        .name = "active", .type = FIELD_BOOLEAN                                                    \
    }

static const struct field create_fields[] = {
    FIELD_RULE("topic", FIELD_REQUIRED, CONTACT_TOPIC_MAX, contact_topic_valid, ERR_FORMAT),
    EDITABLE_FIELDS(FIELD_REQUIRED),
    {0},
};

static const struct field patch_fields[] = {
    EDITABLE_FIELDS(0),
    {0},
};

/* What an edit leaves must be whole, as a creation is. */
static const struct field whole_fields[] = {
    EDITABLE_FIELDS(FIELD_REQUIRED),
    {0},
};

/* The editable members, as a merge patch applies to them. */
static json_t *editable_json(const void *row)
{
    const struct contact_mailbox_row *m = row;
    return json_pack("{s:O, s:s, s:O?, s:i, s:b}", "name", m->name, "email", m->email,
                     "description", m->description, "position", m->position, "active", m->active);
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    (void)ctx;
    const struct contact_mailbox_row *m = row;
    json_t *o = json_pack("{s:s}", "topic", m->topic);
    json_t *editable = editable_json(m);
    json_object_update(o, editable);
    json_decref(editable);
    if (json_object_get(o, "description") == NULL)
        json_object_set_new(o, "description", json_null());
    json_t *meta =
        json_pack("{s:s, s:s}", "created_at", m->created_at, "updated_at", m->updated_at);
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* Only staff see an inactive mailbox. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    return principal_is_staff(&ctx->who) || ((const struct contact_mailbox_row *)row)->active;
}

/* A validated document's editable members into m (which owns what it gets);
 * absent members keep m's defaults. */
static void editable_from(const json_t *doc, struct contact_mailbox_row *m)
{
    const json_t *v;
    m->name = json_deep_copy(json_object_get(doc, "name"));
    snprintf(m->email, sizeof m->email, "%s",
             json_string_value(json_object_get(doc, "email")) ?: "");
    v = json_object_get(doc, "description");
    m->description = json_is_object(v) ? json_deep_copy(v) : NULL;
    if (json_is_integer(v = json_object_get(doc, "position")))
        m->position = (int)json_integer_value(v);
    if (json_is_boolean(v = json_object_get(doc, "active")))
        m->active = json_is_true(v);
}

static bool merged_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    if (!schema_validate(doc, whole_fields, SCHEMA_CREATE, 0, pt, errors))
        return false;
    editable_from(doc, row);
    return true;
}

static void keep(const void *current, void *next)
{
    struct contact_mailbox_row *out = next;
    snprintf(out->topic, sizeof out->topic, "%s",
             ((const struct contact_mailbox_row *)current)->topic);
}

static const struct resource_editable editable = {editable_json, keep, merged_from};

static const struct resource_list list = {
    .sorts = store_contact_mailbox_sorts,
    .nsorts = STORE_CONTACT_MAILBOX_SORTS,
    .default_sort = "position",     /* the page's order */
    .scope = resource_scope_public, /* no inactive mailbox but for staff */
    .kind = &service_contact_mailbox_kind,
};

const struct resource api_contacts = {
    .kind = &service_contact_mailbox_kind,
    .path = "/v1/contacts",
    .key = "topic",
    .key_valid = contact_topic_valid,
    .readable = readable,
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .list = &list,
    .public_max_age = 60, /* the public contacts page */
};

/* --- creation ------------------------------------------------------------ */

struct created {
    struct contact_mailbox_row in, row;
};

static enum status create(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    (void)outcome;
    struct created *c = arg;
    return service_contact_mailbox_create(call, &c->in, &c->row);
}

static void render_created(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct created *c = arg;
    resource_set_created(resp, ctx, &api_contacts, &c->row, NULL);
}

/* The topic, which no edit changes, then the editable members. */
static bool build(const json_t *doc, void *row, bool pt, json_t *errors)
{
    (void)pt, (void)errors;
    struct contact_mailbox_row *m = row;
    snprintf(m->topic, sizeof m->topic, "%s", json_string_value(json_object_get(doc, "topic")));
    editable_from(doc, m);
    return true;
}

int api_contacts_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct created c = {.in = {.active = true}};
    struct resource_change change = {create, &c, render_created, &c, NULL, NULL, NULL};
    int rc = resource_create(req, resp, ctx, &api_contacts, create_fields, build, &c.in, &change);
    contact_mailbox_row_cleanup(&c.in);
    contact_mailbox_row_cleanup(&c.row);
    return rc;
}
