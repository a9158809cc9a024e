/* Registrars over HTTP: the public face and the full record, the field
 * table of edits (the registrar: contacts and website; staff: more), and
 * the directory's list spec. Reading, editing, history and the status
 * actions are the kit's (resource.h). */
#include "auth.h"
#include "fields.h"
#include "handlers.h"
#include "merge.h"
#include "problem.h"
#include "registrar.h"
#include "resource.h"
#include "service_registrar.h"
#include "store_registrar.h"
#include "validate.h"

#include <string.h>

#define STAFF_ONLY (ROLE_STAFF | ROLE_ADMIN)
#define STAFF_OR_OWN (ROLE_STAFF | ROLE_ADMIN | ROLE_REGISTRAR)

static const struct field patch_fields[] = {
    FIELD_TEXT("legal_name", 0, 1, 200, .writers = STAFF_ONLY),
    FIELD_TEXT("trade_name", 0, 1, 100, .writers = STAFF_ONLY),
    FIELD_OBJ("address", 0, fields_address, .writers = STAFF_ONLY),
    FIELD_RULE("website", FIELD_NULLABLE, 2048, validate_website, ERR_URL, .writers = STAFF_OR_OWN),
    FIELD_OBJS("contacts", 0, fields_contact, 1, 10, .writers = STAFF_OR_OWN),
    {0},
};

/* What must still hold of the record after a merge patch. */
static const struct field whole_fields[] = {
    FIELD_OBJ("address", FIELD_REQUIRED, fields_address),
    FIELD_OBJS("contacts", FIELD_REQUIRED, fields_contact, 1, 10),
    {0},
};

static json_t *f(const struct registrar_row *r, const char *name)
{
    return json_object_get(r->fields, name);
}

/* The codes of its active enrollments (a new reference). */
static json_t *programs(const struct registrar_row *r)
{
    return r->programs ? json_copy(r->programs) : json_array();
}

/* From the typed columns: a directory row has no fields. */
static json_t *render_public(const struct registrar_row *r)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "id", r->id, "handle", r->handle,
                     "trade_name", r->trade_name, "website",
                     r->website ? json_string(r->website) : json_null(), "programs", programs(r),
                     "accredited_at", r->accredited_at);
}

static json_t *render_full(const struct registrar_row *r, const struct req_ctx *ctx)
{
    return json_pack("{s:s, s:s, s:O, s:O, s:O?, s:O?, s:O?, s:O?, s:O, s:O, s:o, s:s, s:s, "
                     "s:s?, s:s, s:s, s:s, s:o}",
                     "id", r->id, "handle", r->handle, "legal_name", f(r, "legal_name"),
                     "trade_name", f(r, "trade_name"), "nif", f(r, "nif"), "vat_number",
                     f(r, "vat_number"), "country", f(r, "country"), "website", f(r, "website"),
                     "address", f(r, "address"), "contacts", f(r, "contacts"), "programs",
                     programs(r), "status", registrar_status_name(r->status), "accredited_at",
                     r->accredited_at, "application_id",
                     r->application_id[0] ? r->application_id : NULL, "created_at", r->created_at,
                     "updated_at", r->updated_at, "status_changed_at", r->status_changed_at,
                     "allowed_actions", resource_actions(&api_registrars, r, ctx));
}

/* Staff and the registrar itself see the record; others its public face. */
static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct registrar_row *r = row;
    return auth_owns_registrar(ctx, r->id) ? render_full(r, ctx) : render_public(r);
}

static json_t *render_item(const void *row, const struct req_ctx *ctx, bool full)
{
    return full ? render_full(row, ctx) : render_public(row);
}

/* The public sees accredited registrars only. */
static bool readable(const struct req_ctx *ctx, const void *row)
{
    const struct registrar_row *r = row;
    return r->status == REGISTRAR_ACCREDITED || auth_owns_registrar(ctx, r->id);
}

/* The record after a merge patch must still be whole: a complete address
 * whose postal code fits its country, and at least one contact. */
static enum status merge(const void *current, const json_t *patch, bool pt, void *next,
                         json_t *errors)
{
    struct registrar_row *out = next;
    out->fields = json_deep_copy(((const struct registrar_row *)current)->fields);
    merge_patch(out->fields, patch);
    json_t *address = json_object_get(out->fields, "address");
    json_t *whole = json_pack("{s:O?, s:O?}", "address", address, "contacts",
                              json_object_get(out->fields, "contacts"));
    schema_validate(whole, whole_fields, SCHEMA_CREATE, ROLE_STAFF, pt, errors);
    json_decref(whole);
    const char *country = json_string_value(json_object_get(address, "country"));
    const char *code = json_string_value(json_object_get(address, "postal_code"));
    if (json_array_size(errors) == 0 && country && code && !validate_postal_code(country, code))
        schema_error(errors, "/address/postal_code", NULL, ERR_POSTAL_CODE, pt);
    return json_array_size(errors) == 0 ? ST_OK : ST_INVALID;
}

/* The public directory is accredited registrars: only staff see whole
 * records and filter by status. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    resource_scope_public(resp, ctx, q);
    if (q->full || q->filters[STORE_REGISTRAR_STATUS] == NULL)
        return true;
    problem_send(resp, ctx, PROBLEM_FORBIDDEN,
                 (struct problem_text){"Only staff may filter registrars by status.",
                                       "Só a equipa do .PT pode filtrar por estado."},
                 NULL);
    return false;
}

static const struct resource_filter filters[] = {
    [STORE_REGISTRAR_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_REGISTRAR_PROGRAM] = {"program", RESOURCE_FILTER_LIST, validate_program_code},
    [STORE_REGISTRAR_Q] = {"q", RESOURCE_FILTER_TEXT, NULL},
    {0},
};

static const struct resource_list list = {
    .sorts = store_registrar_sorts,
    .nsorts = STORE_REGISTRAR_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_registrar_kind,
    .render = render_item,
    .version = service_registrar_directory_version,
};

const struct resource api_registrars = {
    .kind = &service_registrar_kind,
    .path = "/v1/registrars",
    .visible = auth_owns_registrar, /* staff, or the registrar itself */
    .readable = readable,
    .render = render,
    .patch_fields = patch_fields,
    .merge = merge,
    .list = &list,
    .version = service_registrar_directory_version, /* the row and its active enrollments */
    .public_max_age = 60,                           /* the public directory */
};
