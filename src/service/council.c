/* The Conselho Consultivo's use cases. A ballot is one transaction under its
 * term's row lock: who voted (council_voters) and what was voted (the
 * term's ballot box, written again in hash order) are stored apart, and the
 * audit names the voter and nothing of the ballot. The receipt's nonce
 * lives only in this function's memory. */
#include "service_council.h"

#include "store_council.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- terms --------------------------------------------------------------- */

static const char *const no_personal[] = {NULL};

SERVICE_ROW_ACCESSORS(struct council_term_row, council_term_row_cleanup, store_council_term_get)

static enum status term_move(PGconn *conn, void *row, int to, const char *reason)
{
    (void)reason;
    return store_council_term_move(conn, row, council_term_status_name(to));
}

static enum status term_save(PGconn *conn, void *row, const void *next,
                             struct service_outcome *outcome)
{
    (void)outcome;
    return store_council_term_update(conn, row, next);
}

const struct service_kind service_council_term_kind = {
    .type = "council_term",
    .machine = &council_term_machine,
    .edit_action = TERM_ACT_EDIT,
    .row_size = sizeof(struct council_term_row),
    .personal = no_personal,
    SERVICE_ROW_KIND,
    .move = term_move,
    .save = term_save,
    .list = store_council_term_list,
};

struct term_create {
    const struct service_call *call;
    const struct council_term_row *in;
    struct council_term_row *out;
};

static enum status term_create_tx(PGconn *conn, void *arg)
{
    struct term_create *c = arg;
    enum status st = store_council_term_insert(conn, c->in, c->out);
    return st == ST_OK
               ? service_audit_created(c->call, &service_council_term_kind, "create", c->out)
               : st;
}

enum status service_council_term_create(const struct service_call *call,
                                        const struct council_term_row *t,
                                        struct council_term_row *out)
{
    struct term_create c = {call, t, out};
    return service_run(call, DB_READ_COMMITTED, term_create_tx, &c);
}

/* --- ballots ------------------------------------------------------------- */

struct vote {
    const struct service_call *call;
    const char *term_id, *registrar_id;
    struct council_ballot *b;
    struct service_outcome *outcome;
};

/* The choices as a JSON array of ids, for the store. */
static char *choices_json(const struct council_ballot *b)
{
    json_t *a = json_array();
    for (size_t i = 0; i < b->count; i++)
        json_array_append_new(a, json_string(b->choices[i]));
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

static enum status vote_check(PGconn *conn, struct vote *v, const struct council_term_row *t)
{
    struct council_standing standing;
    if (t->status != TERM_VOTING) {
        snprintf(v->outcome->current, sizeof v->outcome->current, "%s",
                 council_term_status_name(t->status));
        return ST_INVALID_STATE;
    }
    enum status st = store_council_standing(conn, v->registrar_id, &standing);
    if (st != ST_OK)
        return st;
    if ((v->outcome->conflict = council_refusal(&standing, false)) != NULL)
        return ST_NOT_ELIGIBLE;
    if ((int)v->b->count > t->registrar_seats)
        return service_field_refusal(v->outcome, "/choices", ERR_TOO_MANY);
    int accepted = 0;
    char *ids = choices_json(v->b);
    st = store_council_accepted_count(conn, v->term_id, ids, &accepted);
    free(ids);
    if (st == ST_OK && accepted != (int)v->b->count)
        st = service_field_refusal(v->outcome, "/choices", ERR_UNKNOWN_NOMINATION);
    return st;
}

static enum status vote_tx(PGconn *conn, void *arg)
{
    struct vote *v = arg;
    struct council_term_row t;
    unsigned char nonce[COUNCIL_NONCE_BYTES];
    enum status st = store_council_term_lock(conn, v->term_id, &t);
    if (st == ST_OK)
        st = vote_check(conn, v, &t);
    if (st != ST_OK)
        return st;
    randombytes_buf(nonce, sizeof nonce);
    council_ballot_seal(v->b, v->term_id, nonce);
    sodium_memzero(nonce, sizeof nonce);
    st = store_council_ballot_cast(conn, v->term_id, v->registrar_id, v->b);
    struct audit_entry e = {.action = "vote",
                            .resource_type = service_council_term_kind.type,
                            .resource_id = v->term_id,
                            .registrar_id = v->registrar_id};
    return st == ST_OK ? service_record(v->call, &e) : st;
}

enum status service_council_vote(const struct service_call *call, const char *term_id,
                                 const char *registrar_id, struct council_ballot *b,
                                 struct service_outcome *outcome)
{
    struct vote v = {call, term_id, registrar_id, b, outcome};
    return service_run(call, DB_READ_COMMITTED, vote_tx, &v);
}

/* --- results ------------------------------------------------------------- */

void service_council_results_cleanup(struct council_results *r)
{
    service_page_free(&service_council_nomination_kind, &r->nominations);
    free(r->tally);
    r->tally = NULL;
    free(r->ballots);
    r->ballots = NULL;
}

static enum status results_read(const struct service_call *call, void *arg)
{
    struct council_results *r = arg;
    service_council_results_cleanup(r);
    enum status st = store_council_accepted(call->conn, r->term.id, &r->nominations);
    if (st == ST_OK)
        st = store_council_ballots(call->conn, r->term.id, &r->ballots, &r->nballots);
    return st;
}

enum status service_council_results(const struct service_call *call, const char *term_id,
                                    struct council_results *out, struct service_outcome *outcome)
{
    memset(out, 0, sizeof *out);
    enum status st = store_council_term_get(call->conn, term_id, false, &out->term);
    if (st == ST_OK && out->term.status != TERM_CLOSED) {
        snprintf(outcome->current, sizeof outcome->current, "%s",
                 council_term_status_name(out->term.status));
        st = ST_INVALID_STATE;
    }
    if (st == ST_OK)
        st = service_snapshot(call, results_read, out);
    if (st != ST_OK)
        return st;
    council_ballots_sort(out->ballots, out->nballots);
    council_ballots_hash(out->ballots, out->nballots, out->ballots_hash);
    size_t m = (size_t)out->nominations.count;
    out->tally = xcalloc(m + 1, sizeof *out->tally);
    for (size_t j = 0; j < m; j++)
        snprintf(out->tally[j].nomination_id, sizeof out->tally[j].nomination_id, "%s",
                 ((const struct council_nomination_row *)out->nominations.rows)[j].id);
    council_count(out->tally, m, out->ballots, out->nballots, out->ballots_hash,
                  out->term.registrar_seats);
    return ST_OK;
}
