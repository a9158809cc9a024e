/* Registrars' news over HTTP: the field tables of a submission and an edit,
 * how an item renders (whole for staff and its registrar; the public face
 * under /v1/news), submitting, and the Atom feed. Reading, editing, history
 * and the actions are the kit's (resource.h); another registrar's item
 * reads as absent (the kind's owner). */
#include "atom.h"
#include "auth.h"
#include "body.h"
#include "handlers.h"
#include "pagecache.h"
#include "problem.h"
#include "resource.h"
#include "service_news.h"
#include "store_news.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EDITABLE_FIELDS(req)                                                                       \
    FIELD_TEXT("title", (req), 1, 200), FIELD_TEXT("summary", (req), 1, 500),                      \
        FIELD_TEXT("body", (req) | FIELD_LINES, 1, 20000),                                         \
        FIELD_RULE("link", FIELD_NULLABLE | FIELD_NULL_CREATE, 2048, validate_website, ERR_URL),   \
        FIELD_STRS("channels", (req), NEWS_CHANNEL_COUNT, news_channel_valid, ERR_ENUM, .min = 1)

static const struct field create_fields[] = {
    EDITABLE_FIELDS(FIELD_REQUIRED),
    {0},
};

static const struct field patch_fields[] = {
    EDITABLE_FIELDS(0),
    {0},
};

static json_t *channels_json(unsigned bits)
{
    const char *names[NEWS_CHANNEL_COUNT];
    size_t n = news_channel_names_of(bits, names);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(names[i]));
    return a;
}

/* The editable members, as a merge patch applies to them. */
static json_t *editable_json(const void *row)
{
    const struct news_row *n = row;
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "title", n->title, "summary", n->summary, "body",
                     n->body ? n->body : "", "link", api_json_text(n->link), "channels",
                     channels_json(n->channels));
}

static json_t *render(const void *row, const struct req_ctx *ctx)
{
    const struct news_row *n = row;
    json_t *o = json_pack("{s:s, s:s}", "id", n->id, "registrar_id", n->registrar_id);
    json_t *editable = editable_json(n);
    json_object_update(o, editable);
    json_decref(editable);
    json_t *meta = json_pack(
        "{s:s, s:o, s:o, s:s, s:s, s:s, s:o}", "status", news_status_name(n->status), "reason",
        api_json_text(n->reason), "published_at", api_json_text(n->published_at), "created_at",
        n->created_at, "updated_at", n->updated_at, "status_changed_at", n->status_changed_at,
        "allowed_actions", resource_actions(&api_news_items, n, ctx));
    json_object_update(o, meta);
    json_decref(meta);
    return o;
}

/* The public face: never the reason, the status or who may act. */
static json_t *render_public(const void *row, const struct req_ctx *ctx)
{
    (void)ctx;
    const struct news_row *n = row;
    json_t *o = json_pack("{s:s, s:{s:s, s:s}}", "id", n->id, "registrar", "id", n->registrar_id,
                          "trade_name", n->trade_name);
    json_t *editable = editable_json(n);
    json_object_update(o, editable);
    json_decref(editable);
    json_object_set_new(o, "published_at", json_string(n->published_at));
    json_object_set_new(o, "updated_at", json_string(n->updated_at));
    return o;
}

static void text_into(char *out, size_t cap, const json_t *doc, const char *name)
{
    snprintf(out, cap, "%s", json_string_value(json_object_get(doc, name)) ?: "");
}

/* A validated document's editable members into n (which owns what it
 * gets). A channel named twice is a 422 at its second place. */
static bool editable_from(const json_t *doc, void *row, bool pt, json_t *errors)
{
    struct news_row *n = row;
    text_into(n->title, sizeof n->title, doc, "title");
    text_into(n->summary, sizeof n->summary, doc, "summary");
    free(n->body);
    n->body = xstrdup(json_string_value(json_object_get(doc, "body")) ?: "");
    text_into(n->link, sizeof n->link, doc, "link");
    json_t *channels = json_object_get(doc, "channels");
    const char *names[NEWS_CHANNEL_COUNT];
    size_t count = json_array_size(channels) < NEWS_CHANNEL_COUNT ? json_array_size(channels)
                                                                  : NEWS_CHANNEL_COUNT;
    for (size_t i = 0; i < count; i++)
        names[i] = json_string_value(json_array_get(channels, i));
    int repeated;
    n->channels = news_channels_of(names, count, &repeated);
    if (repeated >= 0) {
        char pointer[32];
        snprintf(pointer, sizeof pointer, "/channels/%d", repeated);
        schema_error(errors, pointer, NULL, ERR_DUPLICATE_CHANNEL, pt);
    }
    return repeated < 0;
}

static void keep(const void *current, void *next)
{
    const struct news_row *cur = current;
    struct news_row *out = next;
    snprintf(out->id, sizeof out->id, "%s", cur->id);
    snprintf(out->registrar_id, sizeof out->registrar_id, "%s", cur->registrar_id);
}

static const struct resource_editable editable = {editable_json, keep, editable_from};

/* Staff see every item; a registrar its own. */
static bool scope(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q)
{
    return resource_scope_own(resp, ctx, q, STORE_NEWS_REGISTRAR);
}

static const struct resource_filter filters[] = {
    [STORE_NEWS_STATUS] = {"status", RESOURCE_FILTER_STATES, NULL},
    [STORE_NEWS_REGISTRAR] = {"registrar_id", RESOURCE_FILTER_LIST, resource_valid_uuid},
    {0},
};

static const struct resource_list list = {
    .sorts = store_news_sorts,
    .nsorts = STORE_NEWS_SORTS,
    .filters = filters,
    .scope = scope,
    .kind = &service_news_kind,
};

const struct resource api_news_items = {
    .kind = &service_news_kind,
    .path = "/v1/news-items",
    .render = render,
    .patch_fields = patch_fields,
    .editable = &editable,
    .list = &list,
};

/* --- the public news ----------------------------------------------------- */

static bool published(const struct req_ctx *ctx, const void *row)
{
    (void)ctx;
    return news_is_public(row);
}

static json_t *render_public_item(const void *row, const struct req_ctx *ctx, bool full)
{
    (void)full;
    return render_public(row, ctx);
}

static const struct resource_list public_list = {
    .sorts = store_news_public_sorts,
    .nsorts = STORE_NEWS_PUBLIC_SORTS,
    .default_sort = "-published_at",
    .kind = &service_news_public_kind,
    .render = render_public_item,
    .version = service_news_public_version,
};

const struct resource api_news = {
    .kind = &service_news_public_kind,
    .path = "/v1/news",
    .readable = published,
    .render = render_public,
    .list = &public_list,
    .public_max_age = 60,
};

/* --- submitting ---------------------------------------------------------- */

struct submitted {
    struct news_row in, row;
};

static enum status submit(const struct service_call *call, void *arg,
                          struct service_outcome *outcome)
{
    struct submitted *s = arg;
    return service_news_submit(call, &s->in, &s->row, outcome);
}

static void render_submitted(struct _u_response *resp, struct req_ctx *ctx, void *arg)
{
    struct submitted *s = arg;
    resource_set_created(resp, ctx, &api_news_items, &s->row, NULL);
}

int api_news_items_create(const struct _u_request *req, struct _u_response *resp,
                          struct req_ctx *ctx)
{
    struct submitted s = {0};
    snprintf(s.in.registrar_id, sizeof s.in.registrar_id, "%.36s", ctx->who.registrar_id);
    struct resource_change change = {submit, &s, render_submitted, &s, NULL, NULL, NULL};
    int rc = resource_create(req, resp, ctx, &api_news_items, create_fields, NULL, &s.in, &change);
    news_row_cleanup(&s.in);
    news_row_cleanup(&s.row);
    return rc;
}

/* --- the Atom feed ------------------------------------------------------- */

#define FEED_TYPE "application/atom+xml; charset=utf-8"
#define FEED_BASE "https://parceria.dns.pt"
#define FEED_SELF FEED_BASE "/v1/news.atom"
/* The feed's id, fixed for ever (RFC 4287 4.2.6: it never changes). */
#define FEED_ID "urn:uuid:27d5c83f-f48a-4dc6-b9de-2a7f6ec1e2b1"
/* updated of a feed with no entry yet: a fixed time, so its ETag holds. */
#define FEED_EPOCH "2026-01-01T00:00:00Z"
#define FEED_CACHE_KEY "atom|/v1/news.atom"

static bool feed_entry(struct atom *a, const struct news_row *n)
{
    char id[48], *href = NULL;
    snprintf(id, sizeof id, "urn:uuid:%s", n->id);
    if (n->link[0] == '\0')
        href = xasprintf(FEED_BASE "/v1/news/%s", n->id);
    const char *categories[NEWS_CHANNEL_COUNT];
    size_t ncategories = news_channel_names_of(n->channels, categories);
    struct atom_entry e = {.id = id,
                           .title = n->title,
                           .updated = n->updated_at,
                           .published = n->published_at,
                           .summary = n->summary,
                           .content = n->body,
                           .author = n->trade_name,
                           .link = href ? href : n->link,
                           .categories = categories,
                           .ncategories = ncategories};
    bool ok = atom_entry(a, &e);
    free(href);
    return ok;
}

/* The feed of the items (newest published first) as text, or NULL when a
 * stored row is one the writer refuses (never a client's doing). */
static char *feed_text(const struct page_result *page, size_t *len)
{
    const char *updated = FEED_EPOCH;
    for (int i = 0; i < page->count; i++) {
        const struct news_row *n = (const struct news_row *)page->rows + i;
        if (strcmp(n->updated_at, updated) > 0)
            updated = n->updated_at;
    }
    struct atom_feed f = {FEED_ID, ".PT — Divulgação dos registrars", updated, FEED_SELF, "pt"};
    struct atom a;
    bool ok = atom_begin(&a, &f);
    for (int i = 0; ok && i < page->count; i++)
        ok = feed_entry(&a, (const struct news_row *)page->rows + i);
    if (!ok) {
        atom_cleanup(&a);
        return NULL;
    }
    return atom_end(&a, len);
}

/* The feed from the page cache while the news' version (a flight's,
 * auth_state) holds, else built on the request's connection and kept. */
static enum status feed_read(struct req_ctx *ctx, struct pagecache_page *out)
{
    struct store_state state;
    enum status st = auth_state(ctx, &state);
    long long version = st == ST_OK ? service_news_public_version(&state) : 0;
    if (st != ST_OK || pagecache_get(FEED_CACHE_KEY, version, out))
        return st;
    struct service_call call;
    st = resource_read_call(ctx, &call);
    if (st != ST_OK)
        return st;
    struct page_result page = {0};
    st = service_news_feed(&call, &page);
    if (st != ST_OK)
        return st;
    out->body = feed_text(&page, &out->len);
    service_page_free(&service_news_public_kind, &page);
    if (out->body == NULL)
        return ST_UNAVAILABLE;
    api_body_etag(out->body, out->len, out->etag);
    pagecache_put(FEED_CACHE_KEY, version, out->body, out->len, out->etag);
    return ST_OK;
}

int api_news_feed(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)
{
    struct pagecache_page page = {0};
    enum status st = feed_read(ctx, &page);
    int rc;
    if (st != ST_OK) {
        rc = problem_send_status(resp, ctx, st);
    } else {
        if (resource_public_read(&api_news, ctx))
            api_cache_public(resp, api_news.public_max_age);
        rc = api_send_tagged_as(req, resp, ctx, FEED_TYPE, page.body, page.len, page.etag);
    }
    pagecache_page_cleanup(&page);
    return rc;
}
