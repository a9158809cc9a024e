/* Registrars' news as a kind for the generic runner (an item is its
 * registrar's: another registrar reads it as absent), submitting one, and
 * the public reads. Nothing personal is hashed in the audit log: an item is
 * a company's text written to be published. */
#include "service_news.h"

#include "service_agreement.h"
#include "store_news.h"
#include "store_registrar.h"

#include <string.h>

static const char *const personal_fields[] = {NULL};

SERVICE_ROW_ACCESSORS(struct news_row, news_row_cleanup, store_news_get)

static const char *owner(const void *row)
{
    return ((const struct news_row *)row)->registrar_id;
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_news_move(conn, row, news_status_name(to), reason, to == NEWS_PUBLISHED);
}

static enum status save(PGconn *conn, void *row, const void *next, struct service_outcome *outcome)
{
    (void)outcome;
    return store_news_update(conn, row, next);
}

/* The public face shows the registrar's trade name: its validator moves
 * with the item's version and with the registrar's (both only grow, so
 * their sum changes whenever either does). */
static int public_version(const void *row)
{
    const struct news_row *n = row;
    return n->version + n->registrar_version;
}

/* The members both kinds share: the management kind is a registrar's own
 * (owner); the public one reads any published item for anyone. */
#define NEWS_KIND                                                                                  \
    .type = "news_item", .machine = &news_machine, .edit_action = NEWS_ACT_EDIT,                   \
    .row_size = sizeof(struct news_row), .personal = personal_fields, .cleanup = cleanup,          \
    .id = row_id, .state = state, .load = load, .move = move, .save = save

const struct service_kind service_news_kind = {
    NEWS_KIND,
    .version = version,
    .owner = owner,
    .list = store_news_list,
};

const struct service_kind service_news_public_kind = {
    NEWS_KIND,
    .version = public_version,
    .list = store_news_public_list,
};

struct submit {
    const struct service_call *call;
    const struct news_row *in;
    struct news_row *out;
    struct service_outcome *outcome;
};

static enum status submit_tx(PGconn *conn, void *arg)
{
    struct submit *s = arg;
    struct registrar_brief reg = {0};
    enum status st = store_registrar_brief(conn, s->in->registrar_id, &reg);
    bool found = st == ST_OK;
    if (st != ST_OK && st != ST_NOT_FOUND)
        return st;
    st = news_submit_judge(found, reg.status);
    if (st == ST_OK)
        st = service_agreement_gate(conn, s->in->registrar_id, s->outcome);
    if (st == ST_OK)
        st = store_news_insert(conn, s->in, s->out);
    return st == ST_OK ? service_audit_created(s->call, &service_news_kind, "submit", s->out) : st;
}

enum status service_news_submit(const struct service_call *call, const struct news_row *in,
                                struct news_row *out, struct service_outcome *outcome)
{
    struct submit s = {call, in, out, outcome};
    return service_run(call, DB_READ_COMMITTED, submit_tx, &s);
}

enum status service_news_feed(const struct service_call *call, struct page_result *out)
{
    return store_news_feed(call->conn, SERVICE_NEWS_FEED_MAX, out);
}

long long service_news_public_version(const struct store_state *state)
{
    return state->news_public;
}
