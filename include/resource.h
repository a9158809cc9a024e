/* The resource kit: what every resource's HTTP side shares. A resource is
 * declared once (struct resource: its service kind, who sees it, how it
 * renders, how a merge patch applies, its list spec) and the route table
 * points its routes at the kit's handlers: resource_get, resource_list,
 * resource_patch, resource_history and resource_act (the action is the last
 * segment of the route's path). Every change runs through one service call
 * on the request's connection, and its answer is recorded under the
 * request's Idempotency-Key inside the change's own transaction. */
#ifndef PARCERIA_RESOURCE_H
#define PARCERIA_RESOURCE_H

#include "api.h"
#include "page.h"
#include "schema.h"
#include "service.h"
#include "store_state.h"

#define RESOURCE_KEY_MAX 64   /* a row key's canonical form, with its NUL */
#define RESOURCE_DEFAULT (-1) /* resource.refused: the kit answers */

/* Renders the answer of a change into resp (status, body, headers) without
 * finishing the request; it may run more than once. */
typedef void (*resource_render_fn)(struct _u_response *resp, struct req_ctx *ctx, void *arg);

/* Fills call for a read: the request's connection, the actor and role.
 * Answers nothing: ST_UNAVAILABLE when no connection is free. */
enum status resource_read_call(struct req_ctx *ctx, struct service_call *call) WARN_UNUSED;

/* Fills call for this request: its connection, the actor and role, and,
 * when the request owns an Idempotency-Key, the before-commit hook that
 * renders the answer with render(arg) and records it. Returns false after
 * answering 503 when no connection is free. */
bool resource_call(struct _u_response *resp, struct req_ctx *ctx, struct service_call *call,
                   resource_render_fn render, void *arg);

/* A typed query filter of a list spec, in the store's filter order. */
enum resource_filter_type {
    RESOURCE_FILTER_LIST,      /* comma-separated values, each checked by valid */
    RESOURCE_FILTER_STATES,    /* comma-separated states of the list's kind's machine */
    RESOURCE_FILTER_TEXT,      /* a search text, 1 to 100 characters, escaped for LIKE */
    RESOURCE_FILTER_TIMESTAMP, /* RFC 3339 UTC */
};
struct resource_filter {
    const char *name; /* the query parameter; NULL ends the table */
    enum resource_filter_type type;
    bool (*valid)(const char *item); /* LIST items; NULL: any non-empty */
};

/* A list's scope for rows that belong to a registrar: staff see all; a
 * registrar sees its own (the filter at position filter is set to its id),
 * and asking for another registrar's answers 403 (returns false). */
bool resource_scope_own(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q,
                        int filter);
/* A public list's scope: staff see whole records (drafts too), everyone
 * else the public face (q->full false). Never refuses. */
bool resource_scope_public(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q);
/* A LIST filter's items that are UUIDs. */
bool resource_valid_uuid(const char *item);

struct resource_list {
    const struct page_sort *sorts; /* the store's sort table */
    size_t nsorts;
    const char *default_sort; /* the sort without ?sort= ("-published_at"); NULL: "-created_at" */
    const struct resource_filter *filters;
    /* Decides q->full (whole records or the public face) and may refuse what
     * this caller may not ask (answers and returns false). NULL: full. */
    bool (*scope)(struct _u_response *resp, struct req_ctx *ctx, struct page_query *q);
    /* The rows: those of a service kind (service_list), or, for resources
     * without one, a row size, its cleanup and the service's fetch. */
    const struct service_kind *kind;
    size_t row_size;
    void (*cleanup)(void *row);
    enum status (*fetch)(const struct service_call *call, const struct page_query *q,
                         struct page_result *out);
    /* A row of the page: whole (full) or its public face. NULL: the
     * resource's own render, whatever full says. */
    json_t *(*render)(const void *row, const struct req_ctx *ctx, bool full);
    /* The version of the list's rows in the state a flight read (auth_state),
     * bumped by every change through any replica. When set, anonymous
     * callers' pages are kept in the page cache (pagecache.h) under it, and
     * served from there while it holds. */
    long long (*version)(const struct store_state *state);
    /* Whether a row goes into the list's CSV export (a TLP:RED incident
     * never does); NULL: every row. Pages are never filtered by it. */
    bool (*exportable)(const void *row);
};

/* How a resource's editable members go to JSON and back: the kit's PATCH
 * (resource.editable, when resource.merge is NULL) turns the current row
 * into JSON, applies the merge patch, keeps what a patch cannot change and
 * reads the result back; a creation (resource_create) reads its body so. */
struct resource_editable {
    json_t *(*to_json)(const void *row); /* the editable members; a new reference */
    /* Copies into next (zeroed) the members a patch cannot change (the key,
     * counters…). NULL: none. */
    void (*keep)(const void *current, void *next);
    /* Reads a validated document's editable members into row (which owns
     * what it gets; absent members keep what row holds) and checks the rules
     * across fields: appends every violation to errors and returns false. */
    bool (*from_json)(const json_t *doc, void *row, bool lang_pt, json_t *errors);
};

struct resource {
    const struct service_kind *kind;
    const char *path; /* the collection's path, for Location: "/v1/registrars" */
    /* The path parameter that names a row, and what a well-formed one is
     * (anything else is 404 before any database work). NULL: "id", a UUID.
     * key_canonical, when set, instead writes the canonical form of a
     * well-formed key (RESOURCE_KEY_MAX bytes) and says whether it is one;
     * key_malformed, when not ERR_NONE, makes a malformed key a 422 naming
     * the parameter (a typo the caller should see) instead of a 404. */
    const char *key;
    bool (*key_valid)(const char *key);
    bool (*key_canonical)(const char *raw, char out[RESOURCE_KEY_MAX]);
    enum error_code key_malformed;
    /* May the caller see row id at all (checked before any database work)?
     * false answers 404, so existence does not leak. */
    bool (*visible)(const struct req_ctx *ctx, const char *id);
    /* For GET only, after reading: may the caller see this row? NULL: visible. */
    bool (*readable)(const struct req_ctx *ctx, const void *row);
    json_t *(*render)(const void *row, const struct req_ctx *ctx); /* a new reference */
    const struct field *patch_fields;
    /* Builds next (a zeroed row) from current and a merge patch, validated;
     * appends every violation to errors and returns ST_INVALID. */
    enum status (*merge)(const void *current, const json_t *patch, bool lang_pt, void *next,
                         json_t *errors);
    const struct resource_editable *editable; /* the edit when merge is NULL */
    /* Answers a refused change its own way (the rule the service named in
     * outcome, the state in outcome->current…), or returns RESOURCE_DEFAULT
     * for the kit's answer (resource_refused). NULL: always the kit's. */
    int (*refused)(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                   const struct service_outcome *outcome);
    const struct resource_list *list;
    /* Single reads kept in the page cache (pagecache.h): the version of
     * everything render shows (the row and what it shows of other rows),
     * in the state a flight read before the row (auth_state), which any
     * replica's commit moves. The answer is kept per view: the row's key, the
     * caller's role, registrar id and language, so render and readable may
     * look at nothing else of the caller. NULL: every GET reads the row. */
    long long (*version)(const struct store_state *state);
    /* > 0: anonymous reads (one row, or a list page) answer Cache-Control:
     * public, max-age=public_max_age; every other answer stays no-store. */
    unsigned public_max_age;
    /* An action whose body is not {"reason"}: the fields of action's body
     * (by the caller's role, as any body), or NULL for the reason. The
     * validated body (a json_t *, lent) reaches the kind's effects as their
     * extra when the handler gives none. NULL: every action takes a reason. */
    const struct field *(*action_body)(int action);
};

/* Reads the row the path names into row (zeroed, of the resource's kind)
 * as a GET does: a well-formed key the caller may see, the service's read,
 * readable; call gets the request's service call. Answers the problem and
 * returns false otherwise. */
bool resource_read(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                   struct service_call *call, void *row);
/* Whether an answer to this caller is a public read (resource.public_max_age). */
bool resource_public_read(const struct resource *res, const struct req_ctx *ctx);

/* The kit's handlers: the route names the resource. */
int resource_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int resource_list(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int resource_patch(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int resource_history(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int resource_act(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);

/* The action a route of resource_act takes: its path's last segment, looked
 * up in the machine (-1 when the machine has no such action). */
int resource_route_action(const struct route *r);

/* Runs action with extra for the effects and answers like resource_act,
 * except that on success render(arg) answers (for actions that answer
 * something else than the resource, such as new credentials). */
int resource_act_with(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                      int action, void *extra, resource_render_fn render, void *arg);

/* The row's key path parameter (resource.key), canonical, in buf, when it
 * is well-formed and the caller may see it; answers 404 (or 422, see
 * resource.key_malformed) and returns NULL otherwise. */
const char *resource_visible_id(struct _u_response *resp, struct req_ctx *ctx,
                                const struct resource *res, char buf[RESOURCE_KEY_MAX]);

/* A change other than an action or an edit (a creation): one service call
 * on the request's connection. */
typedef enum status (*resource_change_fn)(const struct service_call *call, void *arg,
                                          struct service_outcome *outcome);
struct resource_change {
    resource_change_fn fn; /* the service call */
    void *arg;
    resource_render_fn render; /* the answer on success */
    void *render_arg;
    /* Bookkeeping that commits with the change, or NULL: first in the
     * transaction, and last before the answer is recorded and COMMIT. */
    db_tx_fn after_begin;
    db_tx_fn before_commit;
    void *bookkeeping_arg;
};
/* Runs c->fn(c->arg) in one transaction that also holds the bookkeeping and
 * the answer recorded under the request's Idempotency-Key; on success
 * c->render answers, otherwise the refusal (resource_refused). */
int resource_change(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                    const struct resource_change *c);

/* A creation (POST): the body read by fields, then built into row (which
 * may hold defaults) by build, or by res->editable->from_json when build is
 * NULL; 422 with every error the build appended, else c runs as
 * resource_change does. The caller cleans row up. */
typedef bool (*resource_build_fn)(const json_t *doc, void *row, bool lang_pt, json_t *errors);
int resource_create(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                    const struct resource *res, const struct field *fields, resource_build_fn build,
                    void *row, const struct resource_change *c);

/* A creation's answer, set without finishing: 201 with Location (the
 * collection's path and the row's id), the ETag and the rendered row, plus
 * extra's members (taken; may be NULL), such as a key shown once. */
void resource_set_created(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                          const void *row, json_t *extra);

/* Every read answers an ETag: a row's is "<version>", a list page's a hash
 * of its body; If-None-Match naming it answers 304 without a body. */
/* Sets ETag: "<version>". */
void resource_etag(struct _u_response *resp, int version);
/* Answers a refused change: the resource's own answer (resource.refused)
 * when it gives one, else 409 invalid-state with current_status, 422 with errors
 * (taken) when st is ST_INVALID and there are some, or the problem st
 * stands for. */
int resource_refused(struct _u_response *resp, struct req_ctx *ctx, const struct resource *res,
                     enum status st, const struct service_outcome *outcome, json_t **errors);
/* A resource.refused hook for effects that refuse by a named rule
 * (service_rule_refusal): 409 invalid-state with current_status and
 * conflict naming the rule; RESOURCE_DEFAULT for every other refusal. */
int resource_refused_rule(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                          const struct service_outcome *outcome);
/* allowed_actions for row: the actions the caller's role may take now. */
json_t *resource_actions(const struct resource *res, const void *row, const struct req_ctx *ctx);

#endif
