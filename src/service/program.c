/* Programs as a kind for the generic runner, and their creation. */
#include "service_program.h"

#include "store_audit.h"
#include "store_program.h"

#include <stdio.h>

const char SERVICE_PROGRAM_UNKNOWN_REQUIRED[] = "unknown_program";

static const char *const personal_fields[] = {NULL};

SERVICE_ROW_ACCESSORS_BY(struct program_row, code, program_row_cleanup, store_program_get)

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason; /* kept in the audit event */
    return store_program_move(conn, row, program_status_name(to));
}

/* Every program p requires exists: ST_INVALID naming the first that does not. */
static enum status requires_known(PGconn *conn, const struct program_row *p,
                                  struct service_outcome *outcome)
{
    int unknown = -1;
    enum status st = store_program_unknown(conn, p->requires, p->nrequires, &unknown);
    if (st != ST_OK || unknown < 0)
        return st;
    outcome->conflict = SERVICE_PROGRAM_UNKNOWN_REQUIRED;
    snprintf(outcome->subject, sizeof outcome->subject, "/requires/%d", unknown);
    return ST_INVALID;
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    enum status st = requires_known(conn, next, outcome);
    return st == ST_OK ? store_program_update(conn, row, next) : st;
}

const struct service_kind service_program_kind = {
    .type = "program",
    .machine = &program_machine,
    .edit_action = PROGRAM_ACT_EDIT,
    .row_size = sizeof(struct program_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .move = move,
    .save = save,
    .list = store_program_list,
};

struct create {
    const struct service_call *call;
    const struct program_row *in;
    struct program_row *out;
    struct service_outcome *outcome;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    enum status st = requires_known(conn, c->in, c->outcome);
    if (st == ST_OK)
        st = store_program_insert(conn, c->in, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_program_kind, "create", c->out)
                       : st;
}

enum status service_program_create(const struct service_call *call, const struct program_row *p,
                                   struct program_row *out, struct service_outcome *outcome)
{
    struct create c = {call, p, out, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}
