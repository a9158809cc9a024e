/* The generic use cases of service.h: any action of any state machine, any
 * merge edit, reads, lists and history, each in one transaction on the
 * caller's connection. */
#include "service.h"

#include "notice.h"
#include "store_outbox.h"
#include "store_webhook.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum status service_run(const struct service_call *call, enum db_isolation isolation, db_tx_fn fn,
                        void *arg)
{
    struct db_tx_opts opts = {isolation, call->before_commit, call->before_commit_arg,
                              call->after_begin, call->after_begin_arg};
    return db_tx(call->conn, &opts, fn, arg);
}

enum status service_record(const struct service_call *call, const struct audit_entry *e)
{
    char id[37];
    enum status st = store_audit_record_id(call->conn, &call->actor, e, id);
    const struct notice *n = st == ST_OK && !e->confidential
                                 ? notice_find(e->resource_type, e->action, e->to_status)
                                 : NULL; /* a confidential change tells nobody */
    if (n == NULL)
        return st;
    struct outbox_cause cause = {
        id, n->event, e->resource_type, e->resource_id, e->registrar_id, e->mail_vars};
    if (n->mail != NULL)
        st = store_outbox_mail(call->conn, &cause, n->mail);
    if (st == ST_OK) /* every subscription that takes the event */
        st = store_webhook_fanout(call->conn, &cause);
    return st;
}

const char *service_concerns(const struct service_kind *kind, const void *row)
{
    return kind->concerns ? kind->concerns(row) : kind->owner ? kind->owner(row) : NULL;
}

bool service_confidential(const struct service_kind *kind, const void *row)
{
    return kind->confidential != NULL && kind->confidential(row);
}

unsigned service_ruled_out(const struct service_kind *kind, const void *row, unsigned role)
{
    return (kind->ruled_out ? kind->ruled_out(row) : 0) |
           (kind->ruled_out_for ? kind->ruled_out_for(row, role) : 0);
}

enum status service_audit_created(const struct service_call *call, const struct service_kind *kind,
                                  const char *action, const void *row)
{
    struct audit_entry e = {.action = action,
                            .resource_type = kind->type,
                            .resource_id = kind->id(row),
                            .to_status = kind->machine->states[kind->state(row)],
                            .registrar_id = service_concerns(kind, row),
                            .confidential = service_confidential(kind, row)};
    return service_record(call, &e);
}

enum status service_field_refusal(struct service_outcome *outcome, const char *pointer,
                                  enum error_code code)
{
    outcome->field_error = code;
    snprintf(outcome->subject, sizeof outcome->subject, "%s", pointer);
    return ST_INVALID;
}

enum status service_rule_refusal(struct service_outcome *outcome, const char *from,
                                 const char *rule)
{
    snprintf(outcome->current, sizeof outcome->current, "%s", from);
    outcome->conflict = rule;
    return ST_INVALID_STATE;
}

/* Loads the row; another registrar's private row is absent to a registrar. */
static enum status load(const struct service_call *call, const struct service_kind *kind,
                        const char *id, bool lock, void *row)
{
    enum status st = kind->load(call->conn, id, lock, row);
    if (st == ST_OK && kind->owner != NULL && call->registrar_id != NULL &&
        strcmp(kind->owner(row), call->registrar_id) != 0)
        st = ST_NOT_FOUND;
    return st;
}

enum status service_get(const struct service_call *call, const struct service_kind *kind,
                        const char *id, void *row)
{
    enum status st = load(call, kind, id, false, row);
    return st == ST_OK && kind->read_for != NULL ? kind->read_for(call, row) : st;
}

struct act {
    const struct service_call *call;
    const struct service_kind *kind;
    const char *id;
    int action;
    int if_match;
    const char *reason;
    void *extra;
    void *row;
    struct service_outcome *outcome;
};

/* The machine's answer for the locked row; keeps the state on a refusal. */
static enum status ask_machine(const struct act *a, int *to)
{
    const struct service_kind *k = a->kind;
    int from = k->state(a->row);
    enum status st = machine_transition(k->machine, from, a->action, a->call->role, to);
    if (st != ST_FORBIDDEN && st != ST_INVALID && k->may != NULL) {
        enum status who = k->may(a->call, a->row, a->action, a->outcome);
        if (who != ST_OK)
            return who;
    }
    if (st == ST_OK && (service_ruled_out(k, a->row, a->call->role) & MACHINE_BIT(a->action))) {
        st = ST_INVALID_STATE;
        a->outcome->conflict = k->rule ? k->rule(a->row, a->action) : NULL;
    }
    if (st == ST_INVALID_STATE)
        snprintf(a->outcome->current, sizeof a->outcome->current, "%s", k->machine->states[from]);
    return st;
}

static enum status audit(const struct act *a, const char *action, const char *from, const char *to,
                         const json_t *changes)
{
    struct audit_entry e = {.action = action,
                            .resource_type = a->kind->type,
                            .resource_id = a->kind->id(a->row),
                            .from_status = from,
                            .to_status = to,
                            .reason = a->reason,
                            .changes = changes,
                            .personal = a->kind->personal,
                            .registrar_id = service_concerns(a->kind, a->row),
                            .confidential = service_confidential(a->kind, a->row)};
    return service_record(a->call, &e);
}

static enum status effects(const struct act *a);

static enum status act_tx(PGconn *conn, void *arg)
{
    struct act *a = arg;
    const struct service_kind *k = a->kind;
    const struct machine_action *m = &k->machine->actions[a->action];
    int to;
    k->cleanup(a->row); /* a retry starts afresh */
    enum status st = load(a->call, k, a->id, true, a->row);
    if (st == ST_OK && a->if_match != -1 && a->if_match != k->version(a->row))
        st = ST_STALE;
    if (st == ST_OK)
        st = ask_machine(a, &to);
    if (st == ST_INVALID_STATE && k->again != NULL &&
        k->again(a->call, a->row, a->action, a->extra) == ST_UNCHANGED)
        return ST_UNCHANGED;
    if (st != ST_OK)
        return st;
    int from = k->state(a->row);
    if (to != from)
        st = k->move(conn, a->row, to, a->reason);
    if (st == ST_OK)
        st = effects(a);
    if (st != ST_OK)
        return st;
    return audit(a, m->name, to != from ? k->machine->states[from] : NULL,
                 to != from ? k->machine->states[to] : NULL, NULL);
}

/* Runs the effects of the action a takes on its row, in bit order. */
static enum status effects(const struct act *a)
{
    unsigned bits = a->kind->machine->actions[a->action].effects;
    enum status st = ST_OK;
    for (unsigned bit = 1; st == ST_OK && bit != 0 && bit <= bits; bit <<= 1)
        if (bits & bit)
            st = a->kind->effect(a->call, a->row, bit, a->extra, a->outcome);
    return st;
}

enum status service_act(const struct service_call *call, const struct service_kind *kind,
                        const char *id, int action, int if_match, const char *reason, void *extra,
                        void *row, struct service_outcome *outcome)
{
    if (action < 0 || (size_t)action >= kind->machine->nactions)
        return ST_INVALID;
    struct act a = {call, kind, id, action, if_match, reason, extra, row, outcome};
    enum status st = service_run(call, DB_READ_COMMITTED, act_tx, &a);
    return st == ST_UNCHANGED ? ST_OK : st; /* rolled back: nothing changed, the row as it is */
}

struct update {
    struct act act;
    int if_match;
    service_merge_fn merge;
    void *merge_arg;
    const json_t *changes;
};

static enum status update_tx(PGconn *conn, void *arg)
{
    struct update *u = arg;
    struct act *a = &u->act;
    const struct service_kind *k = a->kind;
    int to;
    k->cleanup(a->row);
    enum status st = load(a->call, k, a->id, true, a->row);
    if (st != ST_OK)
        return st;
    if (u->if_match != -1 && u->if_match != k->version(a->row))
        return ST_STALE;
    if ((st = ask_machine(a, &to)) != ST_OK)
        return st;
    void *next = xcalloc(1, k->row_size);
    st = u->merge(u->merge_arg, a->row, next);
    if (st == ST_OK)
        st = k->save(conn, a->row, next, a->outcome);
    k->cleanup(next);
    free(next);
    if (st == ST_OK) /* the edit's own effects, on the saved row */
        st = effects(a);
    return st == ST_OK ? audit(a, k->machine->actions[a->action].name, NULL, NULL, u->changes) : st;
}

enum status service_update(const struct service_call *call, const struct service_kind *kind,
                           const char *id, int if_match, service_merge_fn merge, void *merge_arg,
                           const json_t *changes, void *row, struct service_outcome *outcome)
{
    struct update u = {{call, kind, id, kind->edit_action, -1, NULL, NULL, row, outcome},
                       if_match,
                       merge,
                       merge_arg,
                       changes};
    return service_run(call, DB_READ_COMMITTED, update_tx, &u);
}

enum status service_list(const struct service_call *call, const struct service_kind *kind,
                         const struct page_query *q, struct page_result *out)
{
    memset(out, 0, sizeof *out);
    return kind->list(call->conn, q, out);
}

void service_page_free(const struct service_kind *kind, struct page_result *page)
{
    for (int i = 0; page->rows != NULL && i < page->count; i++)
        kind->cleanup((char *)page->rows + (size_t)i * kind->row_size);
    free(page->rows);
    free(page->next);
    memset(page, 0, sizeof *page);
}

struct snapshot {
    const struct service_call *call;
    service_read_fn fn;
    void *arg;
};

static enum status snapshot_run(PGconn *conn, void *arg)
{
    struct snapshot *s = arg;
    struct service_call call = *s->call;
    call.conn = conn;
    return s->fn(&call, s->arg);
}

enum status service_snapshot(const struct service_call *call, service_read_fn fn, void *arg)
{
    struct db_tx_opts opts = {.isolation = DB_SNAPSHOT};
    struct snapshot s = {call, fn, arg};
    return db_tx(call->conn, &opts, snapshot_run, &s);
}

enum status service_history(const struct service_call *call, const struct service_kind *kind,
                            const char *id, struct audit_row **rows, int *count)
{
    void *row = xcalloc(1, kind->row_size);
    enum status st = load(call, kind, id, false, row);
    kind->cleanup(row);
    free(row);
    return st == ST_OK ? store_audit_history(call->conn, kind->type, id, rows, count) : st;
}
