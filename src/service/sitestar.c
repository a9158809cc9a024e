/* The Sitestar.pt contest's use cases. */
#include "service_sitestar.h"

#include "service_program.h"
#include "service_voucher.h"
#include "store_audit.h"
#include "store_client.h"
#include "store_program.h"
#include "store_sitestar.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- editions ------------------------------------------------------------ */

SERVICE_ROW_ACCESSORS_BY(struct edition_row, year, edition_row_cleanup, store_edition_get)

static const char *const no_personal[] = {NULL};

static enum status edition_save(PGconn *conn, void *row, const void *next,
                                struct service_outcome *outcome)
{
    (void)outcome;
    return store_edition_update(conn, row, next);
}

const struct service_kind service_edition_kind = {
    .type = "sitestar_edition",
    .machine = &edition_machine,
    .edit_action = EDITION_ACT_EDIT,
    .row_size = sizeof(struct edition_row),
    .personal = no_personal,
    SERVICE_ROW_KIND,
    .save = edition_save,
    .list = store_edition_list,
};

struct edition_create {
    const struct service_call *call;
    const struct edition_row *in;
    struct edition_row *out;
};

static enum status edition_create_tx(PGconn *conn, void *arg)
{
    struct edition_create *c = arg;
    char name[64];
    snprintf(name, sizeof name, "Sitestar.pt %s", c->in->year);
    struct program_row p = {.kind = PROGRAM_CONTEST,
                            .year = atoi(c->in->year),
                            .benefit_months = c->in->benefit_months,
                            .name = json_pack("{s:s, s:s}", "pt", name, "en", name)};
    struct program_row stored = {0};
    snprintf(p.code, sizeof p.code, "%s", c->in->program);
    snprintf(p.terms_version, sizeof p.terms_version, "1");
    enum status st = store_program_insert(conn, &p, &stored);
    if (st == ST_OK)
        st = store_program_move(conn, &stored, program_status_name(PROGRAM_OPEN));
    program_row_cleanup(&p);
    program_row_cleanup(&stored);
    if (st == ST_OK)
        st = store_edition_insert(conn, c->in, c->out);
    if (st != ST_OK)
        return st;
    /* The program is created open, and is in the log and its history as such. */
    struct audit_entry created = {.action = "create",
                                  .resource_type = service_program_kind.type,
                                  .resource_id = c->in->program,
                                  .to_status = program_status_name(PROGRAM_OPEN)};
    if ((st = service_record(c->call, &created)) != ST_OK)
        return st;
    struct audit_entry e = {.action = "create",
                            .resource_type = service_edition_kind.type,
                            .resource_id = c->out->year,
                            .to_status = edition_machine.states[c->out->status]};
    return service_record(c->call, &e);
}

enum status service_edition_create(const struct service_call *call, const struct edition_row *in,
                                   struct edition_row *out)
{
    struct edition_create c = {call, in, out};
    return service_run(call, DB_READ_COMMITTED, edition_create_tx, &c);
}

/* --- selection ----------------------------------------------------------- */

struct select {
    const struct service_call *call;
    const char *year;
    struct edition_row *out;
};

/* One voucher of the edition's program for the entry ranked r. */
static enum status approve(const struct service_call *call, const struct edition_row *e,
                           const struct entry_rank *r)
{
    char *school = NULL, *email = NULL;
    enum status st = store_entry_contact(call->conn, r->id, &school, &email);
    struct service_outcome outcome = {0};
    struct voucher_new in = {.beneficiary = NULL};
    struct voucher_row row = {0};
    json_t *beneficiary = NULL;
    if (st == ST_OK) {
        beneficiary =
            json_pack("{s:s, s:s, s:s}", "type", "school_team", "name", school, "email", email);
        in.beneficiary = beneficiary;
        st = service_voucher_issue_in(call, e->program, &in, 1, &row, &outcome);
    }
    if (st == ST_OK)
        st = store_entry_select(call->conn, r->id, row.code);
    json_decref(beneficiary);
    voucher_row_cleanup(&row);
    free(school);
    free(email);
    return st;
}

static enum status select_tx(PGconn *conn, void *arg)
{
    struct select *s = arg;
    enum status st = store_edition_get(conn, s->year, true, s->out);
    if (st != ST_OK || s->out->status == EDITION_SELECTED) /* again: nothing changes */
        return st;
    if (edition_phase(s->out) != PHASE_SCORING)
        return ST_WINDOW_CLOSED;
    struct entry_rank *ranked = NULL;
    size_t n = 0;
    st = store_entry_candidates(conn, s->year, &ranked, &n);
    if (st == ST_OK)
        sitestar_rank(ranked, n);
    size_t quota = (size_t)s->out->approved_quota, approved = 0;
    for (size_t i = 0; st == ST_OK && i < n; i++) {
        st = i < quota ? approve(s->call, s->out, &ranked[i])
                       : store_entry_select(conn, ranked[i].id, NULL);
        struct audit_entry a = {
            .action = "select",
            .resource_type = service_entry_kind.type,
            .resource_id = ranked[i].id,
            .from_status = entry_status_name(ENTRY_SUBMITTED),
            .to_status = entry_status_name(i < quota ? ENTRY_APPROVED : ENTRY_NOT_SELECTED)};
        if (st == ST_OK) /* each entry's history shows its outcome */
            st = service_record(s->call, &a);
        approved += i < quota;
    }
    free(ranked);
    if (st == ST_OK)
        st = store_edition_selected(conn, s->out, (int)approved, (int)(n - approved));
    if (st != ST_OK)
        return st;
    json_t *changes = json_pack("{s:I, s:I}", "approved", (json_int_t)approved, "not_selected",
                                (json_int_t)(n - approved));
    struct audit_entry a = {.action = "select",
                            .resource_type = service_edition_kind.type,
                            .resource_id = s->out->year,
                            .from_status = edition_machine.states[EDITION_OPEN],
                            .to_status = edition_machine.states[EDITION_SELECTED],
                            .changes = changes};
    st = service_record(s->call, &a);
    json_decref(changes);
    return st;
}

enum status service_edition_select(const struct service_call *call, const char *year,
                                   struct edition_row *out)
{
    struct select s = {call, year, out};
    return service_run(call, DB_READ_COMMITTED, select_tx, &s);
}
