/* Contacts as kinds for the generic runner (mailbox edits; a request's
 * answer and close), and their creations. A request's email to its
 * mailbox is the notice of its creation (notice.c), queued in the outbox
 * by the same transaction. */
#include "service_contact.h"

#include "store_contact_mailbox.h"
#include "store_contact_request.h"
#include "store_registrar.h"

#include <jansson.h>

/* --- mailboxes ----------------------------------------------------------- */

static const char *const mailbox_personal[] = {NULL}; /* .PT's own addresses */

static void mailbox_cleanup(void *row)
{
    contact_mailbox_row_cleanup(row);
}

static const char *mailbox_id(const void *row)
{
    return ((const struct contact_mailbox_row *)row)->topic;
}

static int mailbox_state(const void *row)
{
    return (int)contact_mailbox_state(row);
}

static int mailbox_version(const void *row)
{
    return ((const struct contact_mailbox_row *)row)->version;
}

static enum status mailbox_load(PGconn *conn, const char *topic, bool lock, void *row)
{
    return store_contact_mailbox_get(conn, topic, lock, row);
}

static enum status mailbox_save(PGconn *conn, void *row, const void *next,
                                struct service_outcome *outcome)
{
    (void)outcome;
    return store_contact_mailbox_update(conn, row, next);
}

const struct service_kind service_contact_mailbox_kind = {
    .type = "contact_mailbox",
    .machine = &contact_mailbox_machine,
    .edit_action = CONTACT_MAILBOX_ACT_EDIT,
    .row_size = sizeof(struct contact_mailbox_row),
    .personal = mailbox_personal,
    .cleanup = mailbox_cleanup,
    .id = mailbox_id,
    .state = mailbox_state,
    .version = mailbox_version,
    .load = mailbox_load,
    .save = mailbox_save,
    .list = store_contact_mailbox_list,
};

struct mailbox_create {
    const struct service_call *call;
    const struct contact_mailbox_row *in;
    struct contact_mailbox_row *out;
};

static enum status mailbox_create_tx(PGconn *conn, void *arg)
{
    struct mailbox_create *c = arg;
    enum status st = store_contact_mailbox_insert(conn, c->in, c->out);
    return st == ST_OK
               ? service_audit_created(c->call, &service_contact_mailbox_kind, "create", c->out)
               : st;
}

enum status service_contact_mailbox_create(const struct service_call *call,
                                           const struct contact_mailbox_row *m,
                                           struct contact_mailbox_row *out)
{
    struct mailbox_create c = {call, m, out};
    return service_run(call, DB_READ_COMMITTED, mailbox_create_tx, &c);
}

/* --- requests ------------------------------------------------------------ */

/* The requester's words and identity: hashed in the audit log. */
static const char *const request_personal[] = {"name", "email", "message", "subject", "note", NULL};

SERVICE_ROW_ACCESSORS(struct contact_request_row, contact_request_row_cleanup,
                      store_contact_request_get)

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason; /* kept in the audit event */
    return store_contact_request_move(conn, row, contact_request_status_name(to));
}

static enum status effect(const struct service_call *call, void *row, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    (void)outcome;
    if (effect != CONTACT_REQUEST_EFFECT_NOTE)
        return ST_INVALID;
    const char *note = json_string_value(json_object_get(extra, "note"));
    return note != NULL ? store_contact_request_note(call->conn, row, note) : ST_OK;
}

static const char *owner(const void *row)
{
    return ((const struct contact_request_row *)row)->registrar_id;
}

/* The registrar a change concerns: none for a public request. */
static const char *concerns(const void *row)
{
    const char *id = owner(row);
    return id[0] ? id : NULL;
}

const struct service_kind service_contact_request_kind = {
    .type = "contact_request",
    .machine = &contact_request_machine,
    .edit_action = -1, /* never edited */
    .row_size = sizeof(struct contact_request_row),
    .personal = request_personal,
    SERVICE_ROW_KIND,
    .move = move,
    .effect = effect,
    .concerns = concerns,
    .owner = owner,
    .list = store_contact_request_list,
};

struct request_create {
    const struct service_call *call;
    const struct contact_request_row *in;
    struct contact_request_row *out;
    struct service_outcome *outcome;
};

/* A registrar's token must name a registrar the registry knows (its admin
 * contact answers for it): ST_FORBIDDEN otherwise. */
static enum status requester_known(PGconn *conn, const struct contact_request_row *r)
{
    struct registrar_brief b;
    if (!r->registrar_id[0])
        return ST_OK;
    enum status st = store_registrar_brief(conn, r->registrar_id, &b);
    return st == ST_NOT_FOUND ? ST_FORBIDDEN : st;
}

static enum status request_create_tx(PGconn *conn, void *arg)
{
    struct request_create *c = arg;
    enum status st = requester_known(conn, c->in);
    if (st == ST_OK)
        st = store_contact_request_insert(conn, c->in, c->out);
    if (st == ST_NOT_FOUND)
        return service_field_refusal(c->outcome, "/topic", ERR_UNKNOWN_TOPIC);
    return st == ST_OK
               ? service_audit_created(c->call, &service_contact_request_kind, "create", c->out)
               : st;
}

enum status service_contact_request_create(const struct service_call *call,
                                           const struct contact_request_row *r,
                                           struct contact_request_row *out,
                                           struct service_outcome *outcome)
{
    struct request_create c = {call, r, out, outcome};
    return service_run(call, DB_READ_COMMITTED, request_create_tx, &c);
}
