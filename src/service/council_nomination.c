/* Nominations to the Conselho Consultivo: the kind whose accept and reject
 * the generic runner takes, and nominating (eligibility: accredited, not
 * suspended, for at least twelve months; one per registrar and term). */
#include "service_council.h"

#include "store_council.h"

#include <stdio.h>

/* the nominee's name and statement are a person's */
static const char *const personal_fields[] = {"nominee_name", "statement", NULL};

SERVICE_ROW_ACCESSORS(struct council_nomination_row, council_nomination_row_cleanup,
                      store_council_nomination_get)

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_council_nomination_move(conn, row, council_nomination_status_name(to), reason);
}

static unsigned ruled_out(const void *row)
{
    return council_nomination_ruled_out(row);
}

static const char *concerns(const void *row)
{
    return ((const struct council_nomination_row *)row)->registrar_id;
}

const struct service_kind service_council_nomination_kind = {
    .type = "council_nomination",
    .machine = &council_nomination_machine,
    .edit_action = -1, /* no edits: a nomination is what was submitted */
    .row_size = sizeof(struct council_nomination_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .ruled_out = ruled_out,
    .move = move,
    .concerns = concerns,
    .list = store_council_nomination_list,
};

struct nominate {
    const struct service_call *call;
    const struct council_nomination_row *in;
    struct council_nomination_row *out;
    struct service_outcome *outcome;
};

static enum status nominate_tx(PGconn *conn, void *arg)
{
    struct nominate *n = arg;
    struct council_term_row t;
    struct council_standing standing;
    enum status st = store_council_term_lock(conn, n->in->term_id, &t);
    if (st != ST_OK)
        return st;
    if (t.status != TERM_NOMINATING) {
        snprintf(n->outcome->current, sizeof n->outcome->current, "%s",
                 council_term_status_name(t.status));
        return ST_INVALID_STATE;
    }
    st = store_council_standing(conn, n->in->registrar_id, &standing);
    if (st != ST_OK)
        return st;
    if ((n->outcome->conflict = council_refusal(&standing, true)) != NULL)
        return ST_NOT_ELIGIBLE;
    st = store_council_nomination_insert(conn, n->in, n->out);
    return st == ST_OK
               ? service_audit_created(n->call, &service_council_nomination_kind, "create", n->out)
               : st;
}

enum status service_council_nominate(const struct service_call *call,
                                     const struct council_nomination_row *in,
                                     struct council_nomination_row *out,
                                     struct service_outcome *outcome)
{
    struct nominate n = {call, in, out, outcome};
    return service_run(call, DB_READ_COMMITTED, nominate_tx, &n);
}
