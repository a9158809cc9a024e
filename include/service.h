/* The service layer's kit: one use case is one transaction on the caller's
 * connection, in the order lock → ask the domain → store → effects → audit.
 * Services take and return C structs and an enum status; they know nothing
 * of HTTP or JSON bodies. A stateful resource is described once by a struct
 * service_kind (its machine, its store functions, its effects), and then
 * service_act runs any of its actions and service_update any merge edit. */
#ifndef PARCERIA_SERVICE_H
#define PARCERIA_SERVICE_H

#include "db.h"
#include "error_code.h"
#include "machine.h"
#include "page.h"
#include "store_audit.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What every use case gets from its caller. */
struct service_call {
    PGconn *conn;             /* the request's connection (lent) */
    struct audit_actor actor; /* who acts, as the audit log records it */
    unsigned role;            /* the caller's role bit (0: the public) */
    /* A registrar's own call: rows of kinds that belong to a registrar
     * (service_kind.owner) and are not this registrar's read as absent
     * (ST_NOT_FOUND). NULL for every other caller. Lent. */
    const char *registrar_id;
    /* Runs inside the use case's transaction just before COMMIT (the caller
     * records its answer there); may be NULL. */
    db_tx_fn before_commit;
    void *before_commit_arg;
    /* Runs first inside the transaction (the caller's bookkeeping that must
     * commit with the change); may be NULL. */
    db_tx_fn after_begin;
    void *after_begin_arg;
};

/* Why a change was refused, beyond its status. */
struct service_outcome {
    char current[32];     /* ST_INVALID_STATE: the state the action was refused in */
    const char *conflict; /* which rule refused (a static string of the kind's), or NULL */
    char subject[64];     /* what the rule was about ("3em1", "/requires/0"), or empty */
    /* ST_INVALID for one field: its code, at the JSON Pointer in subject
     * (the kit answers 422 with that error). ERR_NONE: not such a refusal. */
    enum error_code field_error;
    /* trust: agreements. ST_AGREEMENT_REQUIRED: the version's accept_by (the
     * version is in subject). */
    char due_at[32];
};

/* The edit a merge patch makes, supplied by the caller: from the locked
 * current row, fill next (a zeroed row of the kind) or return ST_INVALID
 * (keeping the reasons in arg). May run more than once (db_tx retries). */
typedef enum status (*service_merge_fn)(void *arg, const void *current, void *next);

struct service_kind {
    const char *type; /* the audit log's resource_type */
    const struct machine *machine;
    int edit_action;             /* the machine's action a PATCH is */
    size_t row_size;             /* sizeof the row struct */
    const char *const *personal; /* members of changes to hash in the audit log */
    void (*cleanup)(void *row);  /* frees what a row owns */
    const char *(*id)(const void *row);
    int (*state)(const void *row);
    int (*version)(const void *row);
    /* Actions that rules outside the machine table rule out now (bits of action indexes). */
    unsigned (*ruled_out)(const void *row);
    /* The name of the rule that rules action out now, for the refusal's
     * outcome->conflict (a static string), or NULL. NULL: unnamed. */
    const char *(*rule)(const void *row, int action);
    /* The same for a caller of role (a registrar edits only in some states);
     * NULL: none. Both take actions out of the transition and allowed_actions. */
    unsigned (*ruled_out_for)(const void *row, unsigned role);
    /* Whether the changes of row are confidential (audit_entry.confidential:
     * recorded, but no change feed, webhook or email); NULL: never. */
    bool (*confidential)(const void *row);
    enum status (*load)(PGconn *conn, const char *id, bool lock, void *row);
    /* Moves the row to state to (the store's conditional update). */
    enum status (*move)(PGconn *conn, void *row, int to, const char *reason);
    /* Runs one effect bit of an action (or of an edit, after its save; extra
     * NULL); extra is the caller's (see service_act). A refusal may say why
     * in outcome; ST_UNCHANGED says the action was done before with the same
     * input (an action that leaves the state as it is): the transaction
     * rolls back and service_act answers ST_OK with the row as it is. */
    enum status (*effect)(const struct service_call *call, void *row, unsigned effect, void *extra,
                          struct service_outcome *outcome);
    /* An action asked again once taken (the machine refuses it in the state
     * it led to): ST_UNCHANGED when it was taken with this same input (extra),
     * so the answer is the row as it is; anything else keeps the refusal.
     * NULL: every repeat is refused. */
    enum status (*again)(const struct service_call *call, const void *row, int action,
                         const void *extra);
    /* The registrar a change of a row concerns, for the change feed and
     * webhooks (a registrar's own record). NULL: the owner's (below). */
    const char *(*concerns)(const void *row);
    /* The registrar a row belongs to, for kinds whose rows are a registrar's
     * private data (see service_call.registrar_id); NULL: not such a kind. */
    const char *(*owner)(const void *row);
    /* After a read (service_get): what the row is for this caller, such as
     * whether a registrar may redeem a voucher. NULL: nothing. */
    enum status (*read_for)(const struct service_call *call, void *row);
    /* Writes next's fields over row when row's version is still current:
     * ST_STALE otherwise, ST_CONFLICT (outcome->conflict set) on a duplicate. */
    enum status (*save)(PGconn *conn, void *row, const void *next, struct service_outcome *outcome);
    enum status (*list)(PGconn *conn, const struct page_query *q, struct page_result *out);
    /* Whether this caller may take action on this row beyond the machine's
     * roles (a row only its author edits) and rules of time (an edit window):
     * ST_OK, or the refusal (ST_FORBIDDEN, ST_WINDOW_CLOSED…, naming its rule
     * in outcome->conflict; outcome may be NULL). Asked after the role and
     * before the state; pure, since allowed_actions asks it too (call->conn
     * NULL there). NULL: the role decides. */
    enum status (*may)(const struct service_call *call, const void *row, int action,
                       struct service_outcome *outcome);
};

/* The accessors of a kind whose row struct has a key member (id, code…),
 * status and version members, a cleanup function and a store getter (conn,
 * key, lock, row). */
#define SERVICE_ROW_ACCESSORS_BY(row_type, key, cleanup_fn, get_fn)                                \
    static void cleanup(void *row)                                                                 \
    {                                                                                              \
        cleanup_fn(row);                                                                           \
    }                                                                                              \
    static const char *row_id(const void *row)                                                     \
    {                                                                                              \
        return ((const row_type *)row)->key;                                                       \
    }                                                                                              \
    static int state(const void *row)                                                              \
    {                                                                                              \
        return (int)((const row_type *)row)->status;                                               \
    }                                                                                              \
    static int version(const void *row)                                                            \
    {                                                                                              \
        return ((const row_type *)row)->version;                                                   \
    }                                                                                              \
    static enum status load(PGconn *conn, const char *id, bool lock, void *row)                    \
    {                                                                                              \
        return get_fn(conn, id, lock, row);                                                        \
    }
#define SERVICE_ROW_ACCESSORS(row_type, cleanup_fn, get_fn)                                        \
    SERVICE_ROW_ACCESSORS_BY(row_type, id, cleanup_fn, get_fn)
/* A struct service_kind's members that those accessors fill. */
#define SERVICE_ROW_KIND                                                                           \
    .cleanup = cleanup, .id = row_id, .state = state, .version = version, .load = load

/* Reads one row (no lock). ST_NOT_FOUND when absent. */
enum status service_get(const struct service_call *call, const struct service_kind *kind,
                        const char *id, void *row) WARN_UNUSED;

/* Runs action on the row id in one transaction: lock, If-Match (if_match as
 * for service_update), ask the machine (with the caller's role), move, run
 * the action's effects, audit. extra is handed
 * to the kind's effect function (inputs and outputs of effects, such as a
 * new client's secret). On ST_OK row holds the new state. */
enum status service_act(const struct service_call *call, const struct service_kind *kind,
                        const char *id, int action, int if_match, const char *reason, void *extra,
                        void *row, struct service_outcome *outcome) WARN_UNUSED;

/* A merge edit in one transaction: lock, If-Match (if_match: a version, -1
 * for any, anything else never matches), the machine's edit action, merge,
 * save, the edit action's effects, audit (changes: what the caller sent,
 * lent). */
enum status service_update(const struct service_call *call, const struct service_kind *kind,
                           const char *id, int if_match, service_merge_fn merge, void *merge_arg,
                           const json_t *changes, void *row,
                           struct service_outcome *outcome) WARN_UNUSED;

/* A page of rows (out->rows: row_size each; free with service_page_free). */
enum status service_list(const struct service_call *call, const struct service_kind *kind,
                         const struct page_query *q, struct page_result *out) WARN_UNUSED;
void service_page_free(const struct service_kind *kind, struct page_result *page);

/* Runs fn(call with the transaction's connection, arg) in one read-only
 * transaction that sees one snapshot (REPEATABLE READ), for reads of several
 * statements that must agree: an export's pages neither miss nor repeat a row
 * that changes meanwhile. fn may run again (db_tx), so it starts afresh. */
typedef enum status (*service_read_fn)(const struct service_call *call, void *arg);
enum status service_snapshot(const struct service_call *call, service_read_fn fn,
                             void *arg) WARN_UNUSED;

/* The audit history of one row the caller may see (the row must exist). */
enum status service_history(const struct service_call *call, const struct service_kind *kind,
                            const char *id, struct audit_row **rows, int *count) WARN_UNUSED;

/* Records an audited change in the call's transaction, and what it tells
 * (notice.h): its emails and webhooks, queued in the outbox by the same
 * transaction. Every use case records its changes through here. */
enum status service_record(const struct service_call *call,
                           const struct audit_entry *e) WARN_UNUSED;
/* The registrar a change of row concerns (kind->concerns, else its owner), or NULL. */
const char *service_concerns(const struct service_kind *kind, const void *row);

/* Whether the changes of row are confidential (kind->confidential). */
bool service_confidential(const struct service_kind *kind, const void *row);
/* The actions rules outside the machine table rule out now for role
 * (kind->ruled_out and kind->ruled_out_for), as machine bits. */
unsigned service_ruled_out(const struct service_kind *kind, const void *row, unsigned role);

/* Records the audit event of a row a use case created: action (such as
 * "create"), the kind's type, the row's id and its state. */
enum status service_audit_created(const struct service_call *call, const struct service_kind *kind,
                                  const char *action, const void *row) WARN_UNUSED;

/* A refusal of one field: sets outcome's field_error and subject (the
 * pointer) and returns ST_INVALID. */
enum status service_field_refusal(struct service_outcome *outcome, const char *pointer,
                                  enum error_code code);

/* A refusal by a named rule outside the machine table (an effect's): sets
 * outcome's current state (from) and conflict (rule, a static string) and
 * returns ST_INVALID_STATE; resource_refused_rule answers it 409
 * invalid-state with current_status and conflict. */
enum status service_rule_refusal(struct service_outcome *outcome, const char *from,
                                 const char *rule);

/* Runs fn as the call's transaction (isolation as given), with the call's
 * before-commit hook. For use cases outside the generic ones. */
enum status service_run(const struct service_call *call, enum db_isolation isolation, db_tx_fn fn,
                        void *arg) WARN_UNUSED;

#endif
