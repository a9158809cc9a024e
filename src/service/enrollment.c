/* Enrollments as a kind for the generic runner, enrolling, and eligibility:
 * enrolling and GET …/eligibility judge the same facts with the same
 * function (eligibility_judge), so they cannot disagree. */
#include "service_enrollment.h"

#include "service_agreement.h"
#include "store_audit.h"
#include "store_enrollment.h"
#include "store_program.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

const char SERVICE_ENROLLMENT_TERMS[] = "terms_version";

static const char *const personal_fields[] = {NULL};

SERVICE_ROW_ACCESSORS(struct enrollment_row, enrollment_row_cleanup, store_enrollment_get)

static const char *owner(const void *row)
{
    return ((const struct enrollment_row *)row)->registrar_id;
}

static unsigned ruled_out(const void *row)
{
    return enrollment_ruled_out(row);
}

static enum status move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_enrollment_move(conn, row, enrollment_status_name(to), reason);
}

/* A refusal of check c: its status, and its name and subject in outcome. */
static enum status refuse(const struct eligibility_facts *f, const struct eligibility_check *c,
                          struct service_outcome *outcome)
{
    if (c->code == ELIGIBILITY_AGREEMENT)
        return service_agreement_refusal(&f->agreement, outcome);
    outcome->conflict = eligibility_code_name(c->code);
    snprintf(outcome->subject, sizeof outcome->subject, "%s", c->subject);
    return eligibility_status(f, c);
}

/* Judges the facts of registrar_id in program with the checks of mask. */
static enum status judge(PGconn *conn, const char *program, const char *registrar_id, unsigned mask,
                         int adding, struct service_outcome *outcome)
{
    struct eligibility_facts f;
    struct eligibility e;
    enum status st = store_enrollment_facts(conn, program, registrar_id, &f);
    if (st != ST_OK)
        return st;
    if ((mask & ELIGIBILITY_BIT(ELIGIBILITY_ACCREDITED)) && !f.registrar_found)
        return ST_NOT_FOUND;
    if ((mask & ELIGIBILITY_BIT(ELIGIBILITY_AGREEMENT)) &&
        (st = service_agreement_facts(conn, registrar_id, &f)) != ST_OK)
        return st;
    f.adding = adding;
    eligibility_judge(&f, mask, &e);
    const struct eligibility_check *c = eligibility_refusal(&e);
    return c == NULL ? ST_OK : refuse(&f, c, outcome);
}

/* The registrar's active enrollments in programs that require this one are
 * suspended with it, each with its audit event. */
static enum status suspend_dependents(const struct service_call *call,
                                      const struct enrollment_row *row)
{
    char **ids = NULL;
    enum status st = store_enrollment_dependents(call->conn, row->registrar_id, row->program, &ids);
    char *reason = xasprintf("requires %s", row->program);
    for (size_t i = 0; st == ST_OK && ids[i] != NULL; i++) {
        struct enrollment_row dep = {0};
        snprintf(dep.id, sizeof dep.id, "%s", ids[i]);
        st = store_enrollment_move(call->conn, &dep, enrollment_status_name(ENROLLMENT_SUSPENDED),
                                   reason);
        struct audit_entry e = {.action = "suspend",
                                .resource_type = service_enrollment_kind.type,
                                .resource_id = ids[i],
                                .from_status = enrollment_status_name(ENROLLMENT_ACTIVE),
                                .to_status = enrollment_status_name(ENROLLMENT_SUSPENDED),
                                .reason = reason,
                                .registrar_id = row->registrar_id};
        if (st == ST_OK)
            st = service_record(call, &e);
        enrollment_row_cleanup(&dep);
    }
    free(reason);
    util_strv_free(ids);
    return st;
}

static enum status effect(const struct service_call *call, void *r, unsigned effect, void *extra,
                          struct service_outcome *outcome)
{
    (void)extra;
    const struct enrollment_row *row = r;
    enum status st = ST_OK;
    switch (effect) {
    case ENROLLMENT_EFFECT_REGISTRAR:
        return judge(call->conn, row->program, row->registrar_id,
                     ELIGIBILITY_BIT(ELIGIBILITY_ACCREDITED), 0, outcome);
    case ENROLLMENT_EFFECT_PREREQUISITES:
        return judge(call->conn, row->program, row->registrar_id,
                     ELIGIBILITY_BIT(ELIGIBILITY_REQUIRES), 0, outcome);
    case ENROLLMENT_EFFECT_CAPACITY: /* after the move: this enrollment is counted */
        st = store_enrollment_lock_program(call->conn, row->program);
        return st == ST_OK ? judge(call->conn, row->program, row->registrar_id,
                                   ELIGIBILITY_BIT(ELIGIBILITY_CAPACITY), 0, outcome)
                           : st;
    case ENROLLMENT_EFFECT_DEPENDENTS:
        return suspend_dependents(call, row);
    default:
        return ST_INVALID;
    }
}

const struct service_kind service_enrollment_kind = {
    .type = "enrollment",
    .machine = &enrollment_machine,
    .edit_action = -1, /* no edits */
    .row_size = sizeof(struct enrollment_row),
    .personal = personal_fields,
    SERVICE_ROW_KIND,
    .ruled_out = ruled_out,
    .move = move,
    .effect = effect,
    .owner = owner,
    .list = store_enrollment_list,
};

enum status service_enrollment_eligibility(const struct service_call *call, const char *program,
                                           const char *registrar_id, struct eligibility *out)
{
    struct eligibility_facts f;
    enum status st = store_enrollment_facts(call->conn, program, registrar_id, &f);
    if (st != ST_OK)
        return st;
    if (!f.registrar_found)
        return ST_NOT_FOUND;
    if ((st = service_agreement_facts(call->conn, registrar_id, &f)) != ST_OK)
        return st;
    f.adding = 1;
    eligibility_judge(&f, ELIGIBILITY_ALL, out);
    return ST_OK;
}

struct create {
    const struct service_call *call;
    const struct enrollment_new *in;
    struct enrollment_row *out;
    struct service_outcome *outcome;
};

static enum status create_tx(PGconn *conn, void *arg)
{
    struct create *c = arg;
    struct program_row program = {0};
    enum status st = store_enrollment_lock_program(conn, c->in->program);
    if (st == ST_OK) /* after the lock: a new snapshot that sees every enrollment before ours */
        st = store_program_get(conn, c->in->program, false, &program);
    if (st == ST_OK && strcmp(program.terms_version, c->in->accepted_terms_version) != 0) {
        c->outcome->conflict = SERVICE_ENROLLMENT_TERMS;
        snprintf(c->outcome->subject, sizeof c->outcome->subject, "/accepted_terms_version");
        st = ST_INVALID;
    }
    program_row_cleanup(&program);
    if (st == ST_OK)
        st = judge(conn, c->in->program, c->in->registrar_id, ELIGIBILITY_ALL, 1, c->outcome);
    if (st == ST_OK)
        st = store_enrollment_insert(conn, c->in, c->out);
    if (st == ST_CONFLICT && c->outcome->conflict == NULL) /* the unique index */
        c->outcome->conflict = eligibility_code_name(ELIGIBILITY_DUPLICATE);
    return st == ST_OK ? service_audit_created(c->call, &service_enrollment_kind, "enroll", c->out)
                       : st;
}

enum status service_enrollment_create(const struct service_call *call,
                                      const struct enrollment_new *in, struct enrollment_row *out,
                                      struct service_outcome *outcome)
{
    struct create c = {call, in, out, outcome};
    return service_run(call, DB_READ_COMMITTED, create_tx, &c);
}

enum status service_enrollment_counts(const struct service_call *call, const char *program,
                                      long long counts[ENROLLMENT_STATUS_COUNT])
{
    struct program_row p = {0};
    enum status st = store_program_get(call->conn, program, false, &p);
    program_row_cleanup(&p);
    return st == ST_OK ? store_enrollment_counts(call->conn, program, counts) : st;
}
