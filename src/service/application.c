/* Accreditation applications: submission, and the kind whose actions and
 * edits the generic runner takes. Everything that touches one tax number
 * (submission, an edit, approval) takes the tax number's transaction lock
 * first, so READ COMMITTED is enough and the common path never retries. */
#include "service_application.h"

#include "service_client.h"
#include "store_application.h"
#include "store_audit.h"
#include "store_registrar.h"
#include "util.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#define KEY_AFTER_APPROVAL_S (30 * 24 * 3600)
#define HANDLE_ATTEMPTS 20

const char SERVICE_CONFLICT_REGISTRAR[] = "registrar";
const char SERVICE_CONFLICT_OPEN_APPLICATION[] = "open_application";

static const char *const personal_fields[] = {"name", "email", "phone", NULL};

SERVICE_ROW_ACCESSORS(struct application_row, application_row_cleanup, store_application_get)

/* Locks tax_id and refuses it when a live registrar or another open
 * application (than self) has it. */
static enum status tax_free(PGconn *conn, const char *tax_id, const char *self,
                            struct service_outcome *outcome)
{
    bool registrar = false, open = false;
    enum status st = store_application_lock_tax(conn, tax_id);
    if (st == ST_OK)
        st = store_application_tax_users(conn, tax_id, self, &registrar, &open);
    if (st == ST_OK && (registrar || open)) {
        outcome->conflict =
            registrar ? SERVICE_CONFLICT_REGISTRAR : SERVICE_CONFLICT_OPEN_APPLICATION;
        st = ST_CONFLICT;
    }
    return st;
}

static enum status audit(const struct service_call *call, const char *action, const char *id,
                         const char *to, const json_t *changes)
{
    struct audit_entry e = {.action = action,
                            .resource_type = service_application_kind.type,
                            .resource_id = id,
                            .to_status = to,
                            .changes = changes,
                            .personal = personal_fields};
    return service_record(call, &e);
}

struct submit {
    const struct service_call *call;
    const struct application *doc;
    const char *key_hash;
    struct application_row *out;
    struct service_outcome *outcome;
};

static enum status submit_tx(PGconn *conn, void *arg)
{
    struct submit *s = arg;
    char *tax_id = application_tax_id(s->doc), *email = application_admin_email(s->doc);
    enum status st = tax_free(conn, tax_id, NULL, s->outcome);
    if (st == ST_OK)
        st = store_application_insert(conn, s->doc, tax_id, email, s->out);
    if (st == ST_CONFLICT && s->outcome->conflict == NULL)
        s->outcome->conflict = SERVICE_CONFLICT_OPEN_APPLICATION; /* the unique index */
    if (st == ST_OK)
        st = store_client_key_put(conn, s->out->id, "applicant", s->key_hash, NULL);
    json_t *changes = st == ST_OK ? application_to_json(s->doc) : NULL;
    if (st == ST_OK)
        st = audit(s->call, "create", s->out->id, "submitted", changes);
    json_decref(changes);
    free(tax_id);
    free(email);
    return st;
}

enum status service_application_submit(const struct service_call *call,
                                       const struct application *doc, const char *key_hash,
                                       struct application_row *out, struct service_outcome *outcome)
{
    struct submit s = {call, doc, key_hash, out, outcome};
    return service_run(call, DB_READ_COMMITTED, submit_tx, &s);
}

/* --- the kind ------------------------------------------------------------- */

/* The first client's secret is shown once: a second collection would have to
 * mint another client, which is the registrar's own business. */
static unsigned ruled_out(const void *row)
{
    return ((const struct application_row *)row)->credentials_collected
               ? MACHINE_BIT(APPLICATION_ACT_COLLECT_CREDENTIALS)
               : 0;
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_application_move(conn, row, application_status_name(to), reason);
}

static bool taken(char **handles, const char *h)
{
    for (; *handles; handles++)
        if (strcmp(*handles, h) == 0)
            return true;
    return false;
}

/* Inserts the registrar under the first free handle of base, base-2, … */
static enum status insert_registrar(PGconn *conn, const struct application_row *row, char id[37])
{
    const struct application *doc = &row->doc;
    char *base = validate_handle_from(doc->trade_name), *tax_key = application_tax_id(doc);
    json_t *json = application_to_json(doc);
    char **handles = NULL;
    int count = 0;
    enum status st = store_registrar_handles(conn, base, &handles, &count);
    for (unsigned n = 1, tries = 0; st == ST_OK && tries < HANDLE_ATTEMPTS; n++) {
        char *h = n < 2 ? xstrdup(base) : validate_handle_suffixed(base, n);
        if (!taken(handles, h)) {
            struct registrar_new r = {h,
                                      doc->legal_name,
                                      doc->trade_name,
                                      doc->country,
                                      doc->nif,
                                      doc->vat_number,
                                      tax_key,
                                      doc->website,
                                      row->id,
                                      json_object_get(json, "address"),
                                      json_object_get(json, "contacts")};
            st = store_registrar_insert(conn, &r, id);
            tries++;
        }
        free(h);
        if (st == ST_NOT_FOUND) /* taken since we looked: the next one */
            st = ST_OK;
        else if (st == ST_OK && id[0] != '\0')
            break;
    }
    util_strv_free(handles);
    json_decref(json);
    free(base);
    free(tax_key);
    return st == ST_OK && id[0] == '\0' ? ST_UNAVAILABLE : st;
}

static enum status create_registrar(const struct service_call *call, struct application_row *row)
{
    char id[37] = "", *tax_id = application_tax_id(&row->doc);
    enum status st = store_application_lock_tax(call->conn, tax_id);
    free(tax_id);
    if (st == ST_OK)
        st = insert_registrar(call->conn, row, id);
    if (st == ST_OK)
        st = store_application_link(call->conn, row, id);
    if (st != ST_OK)
        return st;
    json_t *changes = json_pack("{s:s}", "application_id", row->id);
    struct audit_entry e = {.action = "create",
                            .resource_type = "registrar",
                            .resource_id = id,
                            .to_status = "accredited",
                            .changes = changes,
                            .registrar_id = id};
    st = service_record(call, &e);
    json_decref(changes);
    return st;
}

static enum status effect(const struct service_call *call, void *r, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    (void)outcome;
    struct application_row *row = r;
    struct service_application_credentials *cred = extra;
    switch (effect) {
    case APPLICATION_EFFECT_RESTAMP:
        return store_application_restamp(call->conn, row);
    case APPLICATION_EFFECT_REVOKE_KEY:
        return store_client_key_revoke(call->conn, row->id);
    case APPLICATION_EFFECT_CREATE_REGISTRAR:
        return create_registrar(call, row);
    case APPLICATION_EFFECT_EXTEND_KEY:
        return store_client_key_expire_in(call->conn, row->id, KEY_AFTER_APPROVAL_S);
    case APPLICATION_EFFECT_ISSUE_CLIENT:
        return cred == NULL
                   ? ST_INVALID
                   : service_client_add(call, "First API client", "registrar", row->registrar_id,
                                        cred->secret_hash, &cred->client);
    case APPLICATION_EFFECT_CLOSE_KEY: {
        enum status st = store_application_mark_collected(call->conn, row);
        return st == ST_OK ? store_client_key_expire_in(call->conn, row->id, 0) : st;
    }
    default:
        return ST_INVALID;
    }
}

static enum status save(PGconn *conn, void *r, const void *n, struct service_outcome *outcome)
{
    struct application_row *row = r;
    const struct application_row *next = n;
    char *tax_id = application_tax_id(&next->doc);
    char *email = application_admin_email(&next->doc);
    enum status st = tax_free(conn, tax_id, row->id, outcome);
    if (st == ST_OK)
        st = store_application_update(conn, row, &next->doc, tax_id, email);
    if (st == ST_CONFLICT && outcome->conflict == NULL)
        outcome->conflict = SERVICE_CONFLICT_OPEN_APPLICATION;
    free(tax_id);
    free(email);
    return st;
}

const struct service_kind service_application_kind = {
    .type = "accreditation_application",
    .machine = &application_machine,
    .edit_action = APPLICATION_ACT_EDIT,
    .row_size = sizeof(struct application_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .ruled_out = ruled_out,
    .move = move,
    .effect = effect,
    .save = save,
    .list = store_application_list,
};
