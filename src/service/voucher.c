/* Vouchers as a kind for the generic runner, and their own use cases. */
#include "service_voucher.h"

#include "service_agreement.h"
#include "store_audit.h"
#include "store_program.h"
#include "store_voucher.h"
#include "util.h"
#include "voucher_code.h"

#include <stdio.h>
#include <string.h>

static const char *const personal_fields[] = {"name", "email", "nif", NULL};

SERVICE_ROW_ACCESSORS_BY(struct voucher_row, code, voucher_row_cleanup, store_voucher_get)

/* A change of a redeemed voucher concerns the registrar that redeemed it. */
static const char *concerns(const void *row)
{
    const struct voucher_row *v = row;
    return v->registrar_id[0] ? v->registrar_id : NULL;
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_voucher_move(conn, row, voucher_status_name(to), reason);
}

/* For a registrar: may it redeem this voucher now? */
static enum status read_for(const struct service_call *call, void *r)
{
    struct voucher_row *row = r;
    struct voucher_redeemer who;
    bool unchanged;
    row->redeemable_by_me = false;
    if (call->registrar_id == NULL || row->status != VOUCHER_ISSUED)
        return ST_OK;
    enum status st =
        store_voucher_redeemer(call->conn, call->registrar_id, voucher_builders_program(row), &who);
    if (st == ST_OK)
        row->redeemable_by_me =
            voucher_redeem_judge(row, &who, call->registrar_id, "", &unchanged) == ST_OK;
    if (st == ST_OK && row->redeemable_by_me) { /* as redeeming would judge: the gate too */
        enum status gate = service_agreement_gate(call->conn, call->registrar_id, NULL);
        row->redeemable_by_me = gate == ST_OK;
        st = gate == ST_AGREEMENT_REQUIRED ? ST_OK : gate;
    }
    return st;
}

const struct service_kind service_voucher_kind = {
    .type = "voucher",
    .machine = &voucher_machine,
    .edit_action = -1, /* no edits */
    .row_size = sizeof(struct voucher_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .concerns = concerns,
    .move = move,
    .read_for = read_for,
    .list = store_voucher_list,
};

/* --- issuing ------------------------------------------------------------- */

enum status service_voucher_issue_in(const struct service_call *call, const char *program,
                                     struct voucher_new *in, size_t n, struct voucher_row *rows,
                                     struct service_outcome *outcome)
{
    PGconn *conn = call->conn;
    struct program_row p = {0};
    enum status st = store_program_get(conn, program, true, &p);
    if (st == ST_OK && (p.status == PROGRAM_DRAFT || p.status == PROGRAM_ARCHIVED)) {
        snprintf(outcome->current, sizeof outcome->current, "%s", program_status_name(p.status));
        st = ST_INVALID_STATE;
    }
    program_row_cleanup(&p);
    for (size_t i = 0; st == ST_OK && i < n; i++) { /* fresh codes on every try */
        char text[VOUCHER_CODE_TEXT_LEN + 1];
        voucher_code_new(text);
        if (!voucher_code_normalize(text, in[i].code))
            st = ST_INVALID;
    }
    if (st == ST_OK)
        st = store_voucher_insert(conn, program, in, n, rows);
    if (st == ST_CONFLICT) /* a code drawn twice (about 2^-64 a pair): draw them all again */
        return ST_RETRY;
    for (size_t i = 0; st == ST_OK && i < n; i++) {
        struct audit_entry e = {.action = "issue",
                                .resource_type = service_voucher_kind.type,
                                .resource_id = rows[i].code,
                                .to_status = voucher_status_name(rows[i].status)};
        st = service_record(call, &e);
    }
    return st;
}

struct issue {
    const struct service_call *call;
    const char *program;
    struct voucher_new *in;
    size_t n;
    struct voucher_row *rows;
    struct service_outcome *outcome;
};

static enum status issue_tx(PGconn *conn, void *arg)
{
    struct issue *is = arg;
    (void)conn; /* the call's */
    return service_voucher_issue_in(is->call, is->program, is->in, is->n, is->rows, is->outcome);
}

enum status service_voucher_issue(const struct service_call *call, const char *program,
                                  struct voucher_new *in, size_t n, struct voucher_row *rows,
                                  struct service_outcome *outcome)
{
    struct issue is = {call, program, in, n, rows, outcome};
    return service_run(call, DB_READ_COMMITTED, issue_tx, &is);
}

/* --- redeeming ----------------------------------------------------------- */

struct redeem {
    const struct service_call *call;
    const char *code, *ascii, *unicode;
    struct voucher_row *row;
    bool *unchanged;
    struct service_outcome *outcome;
};

static enum status redeem_tx(PGconn *conn, void *arg)
{
    struct redeem *r = arg;
    struct voucher_redeemer who;
    const char *registrar = r->call->registrar_id;
    enum status st = registrar ? store_voucher_get(conn, r->code, true, r->row) : ST_FORBIDDEN;
    if (st == ST_OK)
        st = store_voucher_redeemer(conn, registrar, voucher_builders_program(r->row), &who);
    if (st == ST_OK)
        st = voucher_redeem_judge(r->row, &who, registrar, r->ascii, r->unchanged);
    if (st != ST_OK || *r->unchanged)
        return st;
    if ((st = service_agreement_gate(conn, registrar, r->outcome)) != ST_OK)
        return st;
    const char *from = voucher_status_name(r->row->status);
    st = store_voucher_redeem(conn, r->row, registrar, r->ascii, r->unicode);
    if (st != ST_OK)
        return st;
    json_t *changes = json_pack("{s:s, s:s}", "domain", r->ascii, "registrar_id", registrar);
    struct audit_entry e = {.action = "redeem",
                            .resource_type = service_voucher_kind.type,
                            .resource_id = r->row->code,
                            .from_status = from,
                            .to_status = voucher_status_name(r->row->status),
                            .changes = changes,
                            .registrar_id = registrar};
    st = service_record(r->call, &e);
    json_decref(changes);
    return st;
}

enum status service_voucher_redeem(const struct service_call *call, const char *code,
                                   const char *ascii, const char *unicode, struct voucher_row *row,
                                   bool *unchanged, struct service_outcome *outcome)
{
    struct redeem r = {call, code, ascii, unicode, row, unchanged, outcome};
    *unchanged = false;
    return service_run(call, DB_READ_COMMITTED, redeem_tx, &r);
}

enum status service_voucher_stats(const struct service_call *call, const char *program,
                                  long long counts[VOUCHER_STATUS_COUNT], json_t **by_registrar)
{
    struct program_row p = {0};
    enum status st = store_program_get(call->conn, program, false, &p);
    program_row_cleanup(&p);
    return st == ST_OK ? store_voucher_stats(call->conn, program, counts, by_registrar) : st;
}
