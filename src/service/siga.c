/* SIGA proposals and comments as kinds for the generic runner, and their
 * creation. A vote is an action of the proposal's machine (only while it
 * is open or under consideration), taken under the proposal's row lock:
 * its effect inserts or deletes the caller's one row of siga_votes, and a
 * vote cast (or withdrawn) again changes nothing (ST_UNCHANGED). */
#include "service_siga.h"

#include "store_audit.h"
#include "store_siga.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* --- proposals ----------------------------------------------------------- */

static const char *const proposal_personal[] = {NULL};

SERVICE_ROW_ACCESSORS(struct siga_proposal_row, siga_proposal_row_cleanup, store_siga_get)

static const char *author(const void *row)
{
    const struct siga_proposal_row *p = row;
    return p->author_registrar_id[0] ? p->author_registrar_id : NULL;
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason; /* the note is the action's body, kept by its effect */
    return store_siga_move(conn, row, siga_status_name(to));
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    (void)outcome;
    return store_siga_update(conn, row, next);
}

/* What the proposal is for the caller: whether a registrar voted for it. */
static enum status read_for(const struct service_call *call, void *r)
{
    struct siga_proposal_row *row = r;
    row->voted_by_me = false;
    if (call->registrar_id == NULL)
        return ST_OK;
    return store_siga_voted(call->conn, row->id, call->registrar_id, &row->voted_by_me);
}

static enum status vote(const struct service_call *call, struct siga_proposal_row *row, bool cast,
                        struct siga_vote_result *result)
{
    bool changed = false;
    enum status st = call->registrar_id == NULL
                         ? ST_FORBIDDEN /* the machine lets registrars only: never here */
                         : store_siga_vote(call->conn, row->id, call->registrar_id, cast, &changed);
    if (st == ST_OK && changed) /* the trigger counted it: the row as it stands */
        st = store_siga_get(call->conn, row->id, false, row);
    if (st != ST_OK)
        return st;
    row->voted_by_me = cast;
    if (result != NULL)
        *result = (struct siga_vote_result){cast, row->votes};
    return changed ? ST_OK : ST_UNCHANGED;
}

/* The status change's public note: required (an empty body has none). */
static enum status note(const struct service_call *call, struct siga_proposal_row *row,
                        const json_t *body, struct service_outcome *outcome)
{
    const char *text = json_string_value(json_object_get(body, "note"));
    if (text == NULL)
        return service_field_refusal(outcome, "/note", ERR_REQUIRED);
    return store_siga_note(call->conn, row, text);
}

static enum status effect(const struct service_call *call, void *r, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    struct siga_proposal_row *row = r;
    switch (effect) {
    case SIGA_EFFECT_NOTE: /* extra: the action's validated body {"note"}, or empty */
        return note(call, row, extra, outcome);
    case SIGA_EFFECT_VOTE:
        return vote(call, row, true, extra);
    case SIGA_EFFECT_UNVOTE:
        return vote(call, row, false, extra);
    case SIGA_EFFECT_MINE:
        return read_for(call, row);
    default:
        return ST_INVALID;
    }
}

static enum status may(const struct service_call *call, const void *row, int action,
                       struct service_outcome *outcome)
{
    (void)outcome;
    return siga_proposal_may(row, action, call->role, call->registrar_id);
}

const struct service_kind service_siga_kind = {
    .type = "siga_proposal",
    .machine = &siga_proposal_machine,
    .edit_action = SIGA_ACT_EDIT,
    .row_size = sizeof(struct siga_proposal_row),
    .personal = proposal_personal,
    SERVICE_ROW_KIND,
    .move = move,
    .effect = effect,
    .concerns = author,
    .read_for = read_for,
    .save = save,
    .list = store_siga_list,
    .may = may,
};

struct create {
    const struct service_call *call;
    const void *in;
    void *out;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    enum status st = store_siga_insert(conn, c->in, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_siga_kind, "create", c->out) : st;
}

enum status service_siga_create(const struct service_call *call, const struct siga_proposal_row *p,
                                struct siga_proposal_row *out)
{
    struct create c = {call, p, out};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

/* --- comments ------------------------------------------------------------ */

static const char *const comment_personal[] = {"body", NULL}; /* a person's message */

static void comment_cleanup(void *row)
{
    siga_comment_row_cleanup(row);
}

static const char *comment_id(const void *row)
{
    return ((const struct siga_comment_row *)row)->id;
}

static int comment_state(const void *row)
{
    return (int)((const struct siga_comment_row *)row)->status;
}

static int comment_version(const void *row)
{
    return ((const struct siga_comment_row *)row)->version;
}

static enum status comment_load(PGconn *conn, const char *id, bool lock, void *row)
{
    return store_siga_comment_get(conn, id, lock, row);
}

static const char *comment_author(const void *row)
{
    const struct siga_comment_row *c = row;
    return c->author_registrar_id[0] ? c->author_registrar_id : NULL;
}

static enum status comment_move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_siga_comment_move(conn, row, siga_comment_status_name(to), reason);
}

static enum status comment_save(PGconn *conn, void *row, const void *next,
                                struct service_outcome *outcome)
{
    (void)outcome;
    return store_siga_comment_update(conn, row, next);
}

static enum status comment_may(const struct service_call *call, const void *row, int action,
                               struct service_outcome *outcome)
{
    const char *rule = NULL;
    enum status st = siga_comment_may(row, action, call->role, call->registrar_id, &rule);
    if (outcome != NULL && rule != NULL)
        outcome->conflict = rule;
    return st;
}

const struct service_kind service_siga_comment_kind = {
    .type = "siga_comment",
    .machine = &siga_comment_machine,
    .edit_action = SIGA_COMMENT_ACT_EDIT,
    .row_size = sizeof(struct siga_comment_row),
    .personal = comment_personal,
    .cleanup = comment_cleanup,
    .id = comment_id,
    .state = comment_state,
    .version = comment_version,
    .load = comment_load,
    .move = comment_move,
    .concerns = comment_author,
    .save = comment_save,
    .list = store_siga_comment_list,
    .may = comment_may,
};

static enum status comment_create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    enum status st = store_siga_comment_insert(conn, c->in, c->out);
    return st == ST_OK
               ? service_audit_created(c->call, &service_siga_comment_kind, "create", c->out)
               : st;
}

enum status service_siga_comment_create(const struct service_call *call,
                                        const struct siga_comment_row *c,
                                        struct siga_comment_row *out)
{
    struct create x = {call, c, out};
    return service_run(call, DB_READ_COMMITTED, comment_create_tx, &x);
}
