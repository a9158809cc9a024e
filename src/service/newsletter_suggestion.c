/* Newsletter suggestions as a kind for the generic runner, and their
 * creation. Accepting names a planned issue; using needs that issue
 * published. Another registrar's suggestion reads as absent (owner). */
#include "service_newsletter.h"

#include "store_newsletter.h"

#include <stdio.h>

/* --- suggestions ---------------------------------------------------------- */

/* the free text a registrar's staff member writes may name people */
static const char *const suggestion_personal[] = {"summary", NULL};

SERVICE_ROW_ACCESSORS(struct newsletter_suggestion_row, newsletter_suggestion_row_cleanup,
                      store_suggestion_get)

static const char *suggestion_owner(const void *row)
{
    return ((const struct newsletter_suggestion_row *)row)->registrar_id;
}

static enum status suggestion_move(PGconn *conn, void *row, int to, const char *reason)
{
    if (to == SUGGESTION_ACCEPTED)
        return ST_OK; /* SUGGESTION_EFFECT_ISSUE moves it, with its issue */
    return store_suggestion_move(conn, row, newsletter_suggestion_status_name(to), NULL, reason);
}

/* accept: the body's issue, which must be planned. */
static enum status link_issue(const struct service_call *call,
                              struct newsletter_suggestion_row *row, const json_t *body,
                              struct service_outcome *outcome)
{
    const char *issue_id = json_string_value(json_object_get(body, "issue_id"));
    struct newsletter_issue_row issue = {0};
    enum status st = issue_id ? store_issue_get(call->conn, issue_id, true, &issue) : ST_INVALID;
    if (st == ST_NOT_FOUND || st == ST_INVALID)
        return service_field_refusal(outcome, "/issue_id", ERR_UNKNOWN_ISSUE);
    if (st == ST_OK && issue.status != ISSUE_PLANNED)
        return service_rule_refusal(outcome,
                                    newsletter_suggestion_status_name(SUGGESTION_SUBMITTED),
                                    NEWSLETTER_RULE_ISSUE_NOT_PLANNED);
    return st == ST_OK
               ? store_suggestion_move(call->conn, row,
                                       newsletter_suggestion_status_name(SUGGESTION_ACCEPTED),
                                       issue_id, NULL)
               : st;
}

/* use: the suggestion's issue is published. */
static enum status issue_published(const struct service_call *call,
                                   const struct newsletter_suggestion_row *row,
                                   struct service_outcome *outcome)
{
    struct newsletter_issue_row issue = {0};
    enum status st = store_issue_get(call->conn, row->issue_id, false, &issue);
    if (st == ST_OK && issue.status != ISSUE_PUBLISHED)
        return service_rule_refusal(outcome, newsletter_suggestion_status_name(SUGGESTION_ACCEPTED),
                                    NEWSLETTER_RULE_ISSUE_NOT_PUBLISHED);
    return st;
}

static enum status suggestion_effect(const struct service_call *call, void *r, unsigned effect,
                                     void *extra, struct service_outcome *outcome)
{
    switch (effect) {
    case SUGGESTION_EFFECT_ISSUE:
        return link_issue(call, r, extra, outcome);
    case SUGGESTION_EFFECT_PUBLISHED:
        return issue_published(call, r, outcome);
    default:
        return ST_INVALID;
    }
}

const struct service_kind service_suggestion_kind = {
    .type = "newsletter_suggestion",
    .machine = &newsletter_suggestion_machine,
    .edit_action = -1,
    .row_size = sizeof(struct newsletter_suggestion_row),
    .personal = suggestion_personal,
    SERVICE_ROW_KIND,
    .owner = suggestion_owner,
    .move = suggestion_move,
    .effect = suggestion_effect,
    .list = store_suggestion_list,
};

struct suggestion_create {
    const struct service_call *call;
    const struct newsletter_suggestion_row *in;
    struct newsletter_suggestion_row *out;
};

static enum status suggestion_create_tx(PGconn *conn, void *arg)
{
    struct suggestion_create *c = arg;
    enum status st = store_suggestion_insert(conn, c->in, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_suggestion_kind, "submit", c->out)
                       : st;
}

enum status service_suggestion_create(const struct service_call *call,
                                      const struct newsletter_suggestion_row *in,
                                      struct newsletter_suggestion_row *out)
{
    struct suggestion_create c = {call, in, out};
    return service_run(call, DB_READ_COMMITTED, suggestion_create_tx, &c);
}
