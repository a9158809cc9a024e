/* Data-processing agreements as a kind for the generic reads, publishing a
 * version, accepting one, a registrar's standing, and the gate. */
#include "service_agreement.h"

#include "store_agreement.h"
#include "store_audit.h"
#include "store_registrar.h"

#include <stdio.h>
#include <string.h>

const char SERVICE_AGREEMENT_RULE[] = "agreement";

static const char *const personal_fields[] = {NULL}; /* .PT's documents; no person */

static void cleanup(void *row)
{
    (void)row; /* owns nothing */
}

static const char *row_id(const void *row)
{
    return ((const struct agreement_row *)row)->version;
}

static int state(const void *row)
{
    (void)row;
    return AGREEMENT_PUBLISHED;
}

static int version(const void *row)
{
    (void)row;
    return 1; /* immutable: one revision for ever */
}

static enum status load(PGconn *conn, const char *key, bool lock, void *row)
{
    return store_agreement_get(conn, key, lock, row);
}

const struct service_kind service_agreement_kind = {
    .type = "agreement",
    .machine = &agreement_machine,
    .edit_action = -1, /* immutable: a change is a new version */
    .row_size = sizeof(struct agreement_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .list = store_agreement_list,
};

struct create {
    const struct service_call *call;
    const struct agreement_row *in;
    struct agreement_row *out;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    enum status st = store_agreement_insert(conn, c->in, c->out);
    return st == ST_OK ? service_audit_created(c->call, &service_agreement_kind, "create", c->out)
                       : st;
}

enum status service_agreement_create(const struct service_call *call,
                                     const struct agreement_row *in, struct agreement_row *out)
{
    struct create c = {call, in, out};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

struct accept {
    const struct service_call *call;
    const char *version, *sha256, *address;
    struct agreement_acceptance *out;
    bool *created;
    struct service_outcome *outcome;
};

static enum status accept_tx(PGconn *conn, void *arg)
{
    struct accept *a = arg;
    struct agreement_row doc;
    struct agreement_acceptance in = {0};
    *a->created = false;
    if (a->call->registrar_id == NULL)
        return ST_FORBIDDEN;
    enum status st = store_agreement_get(conn, a->version, true, &doc);
    if (st != ST_OK)
        return st;
    if (!agreement_document_matches(&doc, a->sha256))
        return service_field_refusal(a->outcome, "/document_sha256", ERR_MISMATCH);
    snprintf(in.version, sizeof in.version, "%s", doc.version);
    snprintf(in.registrar_id, sizeof in.registrar_id, "%s", a->call->registrar_id);
    snprintf(in.accepted_by, sizeof in.accepted_by, "%s", a->call->actor.sub ?: "");
    snprintf(in.document_sha256, sizeof in.document_sha256, "%s", doc.document_sha256);
    st = store_audit_hash(conn, a->address ? a->address : "", in.address_hash);
    if (st == ST_OK)
        st = store_agreement_accept(conn, &in, a->out, a->created);
    if (st != ST_OK || !*a->created)
        return st;
    json_t *changes = json_pack("{s:s, s:s}", "registrar_id", in.registrar_id, "document_sha256",
                                in.document_sha256);
    struct audit_entry e = {.action = "accept",
                            .resource_type = service_agreement_kind.type,
                            .resource_id = doc.version,
                            .changes = changes,
                            .registrar_id = in.registrar_id};
    st = service_record(a->call, &e);
    json_decref(changes);
    return st;
}

enum status service_agreement_accept(const struct service_call *call, const char *version,
                                     const char *document_sha256, const char *client_address,
                                     struct agreement_acceptance *out, bool *created,
                                     struct service_outcome *outcome)
{
    struct accept a = {call, version, document_sha256, client_address, out, created, outcome};
    return service_run(call, DB_READ_COMMITTED, accept_tx, &a);
}

enum status service_agreement_standing(const struct service_call *call, const char *registrar_id,
                                       json_t **out)
{
    struct registrar_brief reg;
    struct agreement_due next, binding;
    json_t *items = NULL;
    *out = NULL;
    if (call->registrar_id != NULL && strcmp(call->registrar_id, registrar_id) != 0)
        return ST_NOT_FOUND; /* another registrar's */
    enum status st = store_registrar_brief(call->conn, registrar_id, &reg);
    if (st == ST_OK)
        st = store_agreement_standing(call->conn, registrar_id, &items);
    if (st == ST_OK)
        st = store_agreement_due(call->conn, registrar_id, false, &next);
    if (st == ST_OK)
        st = store_agreement_due(call->conn, registrar_id, true, &binding);
    if (st != ST_OK) {
        json_decref(items);
        return st;
    }
    /* what lifts the gate when one is past accept_by; else the newest
     * effective version unaccepted */
    const struct agreement_due *r = binding.due ? &binding : &next;
    json_t *required = r->due ? json_pack("{s:s, s:s, s:b}", "version", r->version, "accept_by",
                                          r->accept_by, "gated", binding.due)
                              : json_null();
    *out = json_pack("{s:s, s:o, s:o}", "registrar_id", registrar_id, "agreements", items,
                     "required", required);
    return ST_OK;
}

enum status service_agreement_refusal(const struct agreement_due *due,
                                      struct service_outcome *outcome)
{
    if (outcome != NULL) {
        outcome->conflict = SERVICE_AGREEMENT_RULE;
        snprintf(outcome->subject, sizeof outcome->subject, "%s", due->version);
        snprintf(outcome->due_at, sizeof outcome->due_at, "%s", due->accept_by);
    }
    return ST_AGREEMENT_REQUIRED;
}

enum status service_agreement_gate(PGconn *conn, const char *registrar_id,
                                   struct service_outcome *outcome)
{
    struct agreement_due due;
    enum status st = store_agreement_due(conn, registrar_id, true, &due);
    if (st != ST_OK)
        return st;
    return due.due ? service_agreement_refusal(&due, outcome) : ST_OK;
}

enum status service_agreement_facts(PGconn *conn, const char *registrar_id,
                                    struct eligibility_facts *f)
{
    return store_agreement_due(conn, registrar_id, true, &f->agreement);
}
