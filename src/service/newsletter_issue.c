/* Newsletter issues as a kind for the generic runner, and their creation.
 * Publishing needs an https url (the ISSUE_EFFECT_URL refusal rolls the
 * move back); the email to every confirmed subscriber is the notice
 * table's (newsletter-issue). */
#include "service_newsletter.h"

#include "store_newsletter.h"

#include <stdio.h>

/* --- issues --------------------------------------------------------------- */

static const char *const issue_personal[] = {NULL};

SERVICE_ROW_ACCESSORS(struct newsletter_issue_row, newsletter_issue_row_cleanup, store_issue_get)

static enum status issue_move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason;
    return store_issue_move(conn, row, newsletter_issue_status_name(to));
}

static enum status issue_effect(const struct service_call *call, void *r, unsigned effect,
                                void *extra, struct service_outcome *outcome)
{
    (void)call, (void)extra;
    if (effect != ISSUE_EFFECT_URL)
        return ST_INVALID;
    return newsletter_issue_publishable(r)
               ? ST_OK
               : service_rule_refusal(outcome, newsletter_issue_status_name(ISSUE_PLANNED),
                                      NEWSLETTER_RULE_URL_REQUIRED);
}

static enum status issue_save(PGconn *conn, void *row, const void *next,
                              struct service_outcome *outcome)
{
    (void)outcome;
    return store_issue_update(conn, row, next);
}

const struct service_kind service_issue_kind = {
    .type = "newsletter_issue",
    .machine = &newsletter_issue_machine,
    .edit_action = ISSUE_ACT_EDIT,
    .row_size = sizeof(struct newsletter_issue_row),
    .personal = issue_personal,
    SERVICE_ROW_KIND,
    .move = issue_move,
    .effect = issue_effect,
    .save = issue_save,
    .list = store_issue_list,
};

struct issue_create {
    const struct service_call *call;
    const struct newsletter_issue_row *in;
    struct newsletter_issue_row *out;
};

static enum status issue_create_tx(PGconn *conn, void *arg)
{
    struct issue_create *c = arg;
    enum status st = store_issue_insert(conn, c->in, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_issue_kind, "create", c->out) : st;
}

enum status service_issue_create(const struct service_call *call,
                                 const struct newsletter_issue_row *in,
                                 struct newsletter_issue_row *out)
{
    struct issue_create c = {call, in, out};
    return service_run(call, DB_READ_COMMITTED, issue_create_tx, &c);
}
