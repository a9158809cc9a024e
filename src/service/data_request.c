/* Data-subject requests (service_data_request.h): the kind, its creation,
 * the access export, the erasure that fulfilling an erasure request runs,
 * and retention. The places that hold personal data are the store's table
 * (store_personal_data.h); the audit log is never touched (it holds keyed
 * hashes only). */
#include "service_data_request.h"

#include "store_audit.h"
#include "store_chore.h"
#include "store_data_request.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The person's email and the reasons given: hashed in the audit log. */
static const char *const personal[] = {"email", NULL};

SERVICE_ROW_ACCESSORS(struct data_request_row, data_request_row_cleanup, store_data_request_get)

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_data_request_move(conn, row, data_request_status_name(to), reason);
}

static unsigned ruled_out(const void *row)
{
    return data_request_ruled_out(row);
}

static const char *rule(const void *row, int action)
{
    (void)row;
    return action == DATA_REQUEST_ACT_EXTEND ? DATA_REQUEST_RULE_EXTENDED : NULL;
}

/* An erasure request's fulfilment: erase where no rule keeps, keep the
 * report in the request (whose own email the erasure replaced too). */
static enum status erase(PGconn *conn, struct data_request_row *row)
{
    if (row->kind != DATA_REQUEST_ERASURE)
        return ST_OK;
    json_t *report = NULL;
    char email[sizeof row->email];
    snprintf(email, sizeof email, "%s", row->email);
    enum status st = store_personal_data_erase(conn, email, &report);
    if (st == ST_OK)
        st = store_data_request_report(conn, row, report);
    json_decref(report);
    return st;
}

static enum status effect(const struct service_call *call, void *row, unsigned bit, void *extra,
                          struct service_outcome *outcome)
{
    (void)outcome;
    if (bit == DATA_REQUEST_EFFECT_EXTEND) {
        const char *reason = json_string_value(json_object_get(extra, "reason"));
        return reason != NULL ? store_data_request_extend(call->conn, row, reason) : ST_INVALID;
    }
    if (bit == DATA_REQUEST_EFFECT_ERASE)
        return erase(call->conn, row);
    return ST_INVALID;
}

const struct service_kind service_data_request_kind = {
    .type = "data_request",
    .machine = &data_request_machine,
    .edit_action = -1, /* never edited */
    .row_size = sizeof(struct data_request_row),
    .personal = personal,
    SERVICE_ROW_KIND,
    .ruled_out = ruled_out,
    .rule = rule,
    .move = move,
    .effect = effect,
    .list = store_data_request_list,
};

/* --- creation ------------------------------------------------------------ */

struct create {
    const struct service_call *call;
    const struct data_request_row *in;
    struct data_request_row *out;
    struct service_outcome *outcome;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    char lower[sizeof c->in->email], hash[STORE_AUDIT_HASH_LEN + 1];
    size_t i = 0;
    for (; c->in->email[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)c->in->email[i]);
    lower[i] = '\0';
    enum status st = store_audit_hash(conn, lower, hash);
    if (st == ST_OK)
        st = store_data_request_insert(conn, c->in, hash, c->out);
    if (st == ST_NOT_FOUND)
        return service_field_refusal(c->outcome, "/received_at", ERR_FUTURE);
    if (st != ST_OK)
        return st;
    json_t *changes = json_pack("{s:s, s:s, s:s}", "kind", data_request_kind_name(c->out->kind),
                                "email", c->out->email, "due_at", c->out->due_at);
    struct audit_entry e = {.action = "create",
                            .resource_type = service_data_request_kind.type,
                            .resource_id = c->out->id,
                            .to_status = data_request_status_name(c->out->status),
                            .changes = changes,
                            .personal = personal};
    st = service_record(c->call, &e);
    json_decref(changes);
    return st;
}

enum status service_data_request_create(const struct service_call *call,
                                        const struct data_request_row *r,
                                        struct data_request_row *out,
                                        struct service_outcome *outcome)
{
    struct create c = {call, r, out, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

/* --- the access export --------------------------------------------------- */

struct export
{
    const char *id;
    json_t **doc;
    struct service_outcome *outcome;
};

static enum status export_read(const struct service_call *call, void *arg)
{
    struct export *x = arg;
    struct data_request_row row = {0};
    json_t *locations = NULL;
    char now[40];
    json_decref(*x->doc); /* a retry starts afresh */
    *x->doc = NULL;
    enum status st = store_data_request_get(call->conn, x->id, false, &row);
    if (st == ST_OK && row.kind != DATA_REQUEST_ACCESS)
        st = service_rule_refusal(x->outcome, data_request_status_name(row.status), "not-access");
    if (st == ST_OK)
        st = store_chore_now(call->conn, now);
    if (st == ST_OK)
        st = store_personal_data_export(call->conn, row.email, &locations);
    if (st == ST_OK)
        *x->doc = json_pack("{s:s, s:s, s:s, s:o}", "request_id", row.id, "email", row.email,
                            "generated_at", now, "locations", locations);
    data_request_row_cleanup(&row);
    return st;
}

enum status service_data_request_export(const struct service_call *call, const char *id,
                                        json_t **doc, struct service_outcome *outcome)
{
    struct export x = {id, doc, outcome};
    *doc = NULL;
    return service_snapshot(call, export_read, &x);
}

/* --- retention ----------------------------------------------------------- */

struct retention {
    const char *at;
    bool apply;
    store_retention_report report;
    void *arg;
    /* the counts, reported once the transaction commits */
    long long counts[16];
};

static void count(const struct retention_rule *rule, long long n, void *arg)
{
    struct retention *r = arg;
    size_t i = (size_t)(rule - store_retention_rules);
    if (i < sizeof r->counts / sizeof *r->counts)
        r->counts[i] = n;
}

static enum status retention_tx(PGconn *conn, void *arg)
{
    struct retention *r = arg;
    memset(r->counts, 0, sizeof r->counts);
    enum status st = store_retention_run(conn, r->at, r->apply, count, r);
    for (size_t i = 0; st == ST_OK && r->apply && store_retention_rules[i].table; i++) {
        if (r->counts[i] == 0)
            continue;
        char n[24];
        snprintf(n, sizeof n, "%lld", r->counts[i]);
        json_t *changes = json_pack("{s:s, s:s, s:s}", "rule", store_retention_rules[i].what,
                                    "as_of", r->at, "rows", n);
        struct audit_actor actor = {
            .sub = "parceria-retention", .role = "system", .request_id = "retention"};
        struct audit_entry e = {.action = "retention-erase",
                                .resource_type = "retention",
                                .resource_id = store_retention_rules[i].table,
                                .changes = changes};
        st = store_audit_record(conn, &actor, &e);
        json_decref(changes);
    }
    return st;
}

enum status service_retention_run(PGconn *conn, const char *at, bool apply,
                                  store_retention_report report, void *arg)
{
    char now[40];
    if (at == NULL) {
        enum status st = store_chore_now(conn, now);
        if (st != ST_OK)
            return st;
        at = now;
    }
    struct retention r = {.at = at, .apply = apply, .report = report, .arg = arg};
    enum status st = db_tx(conn, NULL, retention_tx, &r);
    for (size_t i = 0; st == ST_OK && report && store_retention_rules[i].table; i++)
        report(&store_retention_rules[i], r.counts[i], arg);
    return st;
}
