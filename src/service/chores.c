/* Chores (service_chores.h): the table, and how one run goes. */
#include "service_chores.h"

#include "service_checkpoint.h"
#include "service_ptsoc.h"
#include "store_chore.h"
#include "store_outbox.h"

#include <stddef.h>

const struct service_chore service_chores[] = {
    {"outbox-scrub", store_outbox_scrub},
    /* trust: PTSOC security contacts (the reminder first: a contact due for
     * both is declared unreachable, not reminded) */
    {"ptsoc-remind", service_ptsoc_remind},
    {"ptsoc-expire", service_ptsoc_expire},
    /* trust: the tamper-evident activity log (last: it covers what the others did) */
    {"audit-checkpoint", service_checkpoint_chore},
    {NULL, NULL},
};

struct chore_tx {
    const struct service_chore *chore;
    const char *at;
    bool skipped;
    long long count;
};

static enum status chore_tx(PGconn *conn, void *arg)
{
    struct chore_tx *t = arg;
    t->skipped = false;
    t->count = 0;
    bool got = false;
    enum status st = store_chore_lock(conn, t->chore->name, &got);
    if (st != ST_OK)
        return st;
    if (!got) {
        t->skipped = true;
        return ST_OK;
    }
    return t->chore->run(conn, t->at, &t->count);
}

enum status service_chores_run(PGconn *conn, const char *at, service_chore_report report, void *arg)
{
    char now[40];
    enum status first = ST_OK;
    if (at == NULL) {
        first = store_chore_now(conn, now);
        if (first != ST_OK)
            return first;
        at = now;
    }
    for (const struct service_chore *c = service_chores; c->name != NULL; c++) {
        struct chore_tx t = {.chore = c, .at = at};
        enum status st = db_tx(conn, NULL, chore_tx, &t);
        if (report != NULL)
            report(c->name, st, t.skipped, t.count, arg);
        if (first == ST_OK)
            first = st;
    }
    return first;
}
