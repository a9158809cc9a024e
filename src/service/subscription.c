/* Newsletter subscriptions: the double opt-in. A subscribe request queues a
 * confirmation email (at most one an hour per address, never to a
 * confirmed one) whose one-time token the database keeps only as its
 * SHA-256; confirming spends the token and gives the address its
 * unsubscribe token (32 random bytes, kept so that every newsletter email
 * carries the one link that unsubscribes that address). Every request,
 * confirmation and unsubscription leaves a consent record with the client
 * address as the audit log's keyed hash. Unsubscribing withdraws the
 * issues queued for the address and not sent yet. */
#include "service_newsletter.h"

#include "machine.h"
#include "store_audit.h"
#include "store_outbox.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBSCRIPTION_TYPE "newsletter_subscription"

static const char *const personal[] = {"email", NULL};

static enum status audit(const struct service_call *call, const struct subscription_row *row,
                         const char *action, const char *from, const json_t *changes,
                         const json_t *mail_vars)
{
    struct audit_entry e = {.action = action,
                            .resource_type = SUBSCRIPTION_TYPE,
                            .resource_id = row->id,
                            .from_status = from,
                            .to_status = newsletter_subscription_status_name(row->status),
                            .changes = changes,
                            .personal = personal,
                            .mail_vars = mail_vars};
    return service_record(call, &e);
}

/* A consent record of event, with the client address's keyed hash. */
static enum status consent(PGconn *conn, const char *id, const char *event, const char *version,
                           const char *source, const char *client)
{
    char hash[STORE_AUDIT_HASH_LEN + 1] = "";
    enum status st = client && client[0] ? store_audit_hash(conn, client, hash) : ST_OK;
    return st == ST_OK
               ? store_subscription_consent(conn, id, event, version, source, hash[0] ? hash : NULL)
               : st;
}

struct subscribe {
    const struct service_call *call;
    const struct subscribe_request *in;
};

/* Queues the confirmation email: a new token, its hash stored, the raw
 * token only in the email's vars. */
static enum status send_confirmation(const struct service_call *call,
                                     const struct subscription_row *row,
                                     const struct subscribe_request *in)
{
    char token[UTIL_SECRET_LEN + 1], hash[65];
    util_secret(token);
    util_sha256_hex(token, strlen(token), hash);
    enum status st =
        store_subscription_token(call->conn, row->id, hash, in->consent_text_version, in->source);
    json_t *changes = json_pack("{s:s, s:s, s:s?}", "email", row->email, "consent_text_version",
                                in->consent_text_version, "source", in->source);
    json_t *vars = json_pack("{s:s}", "token", token);
    if (st == ST_OK)
        st = audit(call, row, "subscribe", NULL, changes, vars);
    json_decref(changes);
    json_decref(vars);
    sodium_memzero(token, sizeof token);
    return st;
}

static enum status subscribe_tx(PGconn *conn, void *arg)
{
    struct subscribe *s = arg;
    struct subscription_row row;
    enum status st = store_subscription_claim(conn, s->in->email, &row);
    if (st != ST_OK || row.status == SUBSCRIPTION_CONFIRMED)
        return st; /* a confirmed address: no mail, no change */
    st = consent(conn, row.id, "subscribe", s->in->consent_text_version, s->in->source,
                 s->in->client);
    if (st == ST_OK && newsletter_confirmation_due(row.status, row.since_mail_s))
        st = send_confirmation(s->call, &row, s->in);
    return st;
}

enum status service_subscription_subscribe(const struct service_call *call,
                                           const struct subscribe_request *in)
{
    struct subscribe s = {call, in};
    return service_run(call, DB_READ_COMMITTED, subscribe_tx, &s);
}

struct by_token {
    const struct service_call *call;
    const char *token, *client;
    bool *found;
};

/* An unknown token changes nothing but is answered through a commit, so the
 * public limit counts it (service_newsletter.h). */
static enum status missed(struct by_token *b)
{
    *b->found = false;
    return ST_OK;
}

/* The machine's answer for action on row: ST_UNCHANGED when it was taken
 * before (the state it leads to), ST_OK to go on. */
static enum status ask(const struct subscription_row *row, int action)
{
    int to;
    enum status st = machine_transition(&newsletter_subscription_machine, (int)row->status, action,
                                        NEWSLETTER_TOKEN_HOLDER, &to);
    return st == ST_INVALID_STATE ? ST_UNCHANGED : st;
}

static enum status confirm_tx(PGconn *conn, void *arg)
{
    struct by_token *b = arg;
    struct subscription_row row;
    char hash[65], fresh[UTIL_SECRET_LEN + 1];
    char *version = NULL, *source = NULL;
    util_sha256_hex(b->token, strlen(b->token), hash);
    enum status st = store_subscription_take_token(conn, hash, &row, &version, &source);
    if (st == ST_NOT_FOUND)
        return missed(b);
    if (st == ST_OK)
        st = ask(&row, SUBSCRIPTION_ACT_CONFIRM);
    if (st == ST_OK) {
        const char *from = newsletter_subscription_status_name(row.status);
        util_secret(fresh);
        st = store_subscription_confirm(conn, &row, version, source, fresh);
        sodium_memzero(fresh, sizeof fresh);
        if (st == ST_OK)
            st = consent(conn, row.id, "confirm", version, source, b->client);
        if (st == ST_OK)
            st = audit(b->call, &row, "confirm", from, NULL, NULL);
    }
    free(version);
    free(source);
    return st == ST_UNCHANGED ? ST_OK : st; /* confirmed before: the token is spent all the same */
}

enum status service_subscription_confirm(const struct service_call *call, const char *token,
                                         const char *client, bool *found)
{
    *found = true;
    struct by_token b = {call, token, client, found};
    return service_run(call, DB_READ_COMMITTED, confirm_tx, &b);
}

static enum status unsubscribe_tx(PGconn *conn, void *arg)
{
    struct by_token *b = arg;
    struct subscription_row row;
    enum status st = store_subscription_by_unsubscribe(conn, b->token, &row);
    if (st == ST_NOT_FOUND)
        return missed(b);
    if (st == ST_OK)
        st = ask(&row, SUBSCRIPTION_ACT_UNSUBSCRIBE);
    if (st != ST_OK)
        return st;
    const char *from = newsletter_subscription_status_name(row.status);
    st = store_subscription_unsubscribe(conn, &row);
    if (st == ST_OK) /* an issue queued before and not sent yet is not sent */
        st = store_outbox_withdraw(conn, NEWSLETTER_ISSUE_EVENT, row.email,
                                   "withdrawn: unsubscribed");
    if (st == ST_OK)
        st = consent(conn, row.id, "unsubscribe", NULL, NULL, b->client);
    return st == ST_OK ? audit(b->call, &row, "unsubscribe", from, NULL, NULL) : st;
}

enum status service_subscription_unsubscribe(const struct service_call *call, const char *token,
                                             const char *client, bool *found)
{
    *found = true;
    struct by_token b = {call, token, client, found};
    enum status st = service_run(call, DB_READ_COMMITTED, unsubscribe_tx, &b);
    return st == ST_UNCHANGED ? ST_OK : st; /* unsubscribed before: nothing changes */
}

enum status service_subscriber_list(const struct service_call *call, const struct page_query *q,
                                    struct page_result *out)
{
    memset(out, 0, sizeof *out);
    return store_subscriber_list(call->conn, q, out);
}
