/* The Sitestar.pt contest's entries: their kind (disqualify, withdraw, the
 * site's edit), submission with the teacher's access key, and the jurors'
 * scores. */
#include "service_sitestar.h"

#include "store_audit.h"
#include "store_client.h"
#include "store_sitestar.h"

#include <stdio.h>

SERVICE_ROW_ACCESSORS(struct entry_row, entry_row_cleanup, store_entry_get)

static unsigned entry_ruled(const void *row)
{
    return entry_ruled_out(row);
}

static enum status entry_move(PGconn *conn, void *row, int to, const char *reason)
{
    return store_entry_move(conn, row, entry_status_name(to), reason);
}

static enum status entry_save(PGconn *conn, void *row, const void *next,
                              struct service_outcome *outcome)
{
    (void)outcome;
    return store_entry_set_site(conn, row, ((const struct entry_row *)next)->site_url);
}

static const char *const entry_personal[] = {"name", "email", NULL};

const struct service_kind service_entry_kind = {
    .type = "sitestar_entry",
    .machine = &entry_machine,
    .edit_action = ENTRY_ACT_EDIT,
    .row_size = sizeof(struct entry_row),
    .personal = entry_personal,
    SERVICE_ROW_KIND,
    .ruled_out = entry_ruled,
    .move = entry_move,
    .save = entry_save,
    .list = store_entry_list,
};

struct submit {
    const struct service_call *call;
    const struct entry_new *in;
    const char *key_hash;
    struct entry_row *out;
};

static enum status submit_tx(PGconn *conn, void *arg)
{
    struct submit *s = arg;
    struct edition_row e;
    enum status st = store_edition_get(conn, s->in->year, false, &e);
    if (st == ST_OK && edition_phase(&e) != PHASE_SUBMISSIONS)
        st = ST_WINDOW_CLOSED;
    if (st == ST_OK)
        st = store_entry_insert(conn, s->in, s->out);
    if (st == ST_OK)
        st = store_client_key_put(conn, s->out->id, "teacher", s->key_hash, NULL);
    if (st == ST_OK) /* the key lasts as long as the edition: its sites' year after the close */
        st = store_client_key_expire_in(conn, s->out->id, sitestar_key_seconds(&e));
    if (st != ST_OK)
        return st;
    struct audit_entry a = {.action = "submit",
                            .resource_type = service_entry_kind.type,
                            .resource_id = s->out->id,
                            .to_status = entry_status_name(s->out->status)};
    return service_record(s->call, &a);
}

enum status service_entry_submit(const struct service_call *call, const struct entry_new *in,
                                 const char *key_hash, struct entry_row *out)
{
    struct submit s = {call, in, key_hash, out};
    return service_run(call, DB_READ_COMMITTED, submit_tx, &s);
}

struct score {
    const struct service_call *call;
    const char *id;
    int score;
    struct entry_row *out;
    struct service_outcome *outcome;
};

static enum status score_tx(PGconn *conn, void *arg)
{
    struct score *s = arg;
    struct edition_row e;
    char year[8];
    enum status st = store_entry_get(conn, s->id, true, s->out);
    snprintf(year, sizeof year, "%d", s->out->year);
    if (st == ST_OK)
        st = store_edition_get(conn, year, false, &e);
    if (st != ST_OK)
        return st;
    enum edition_phase phase = edition_phase(&e);
    if (phase == PHASE_UPCOMING || phase == PHASE_SUBMISSIONS)
        return ST_WINDOW_CLOSED;
    if (phase == PHASE_SELECTED || s->out->status != ENTRY_SUBMITTED) {
        snprintf(s->outcome->current, sizeof s->outcome->current, "%s",
                 entry_status_name(s->out->status));
        return ST_INVALID_STATE;
    }
    st = store_entry_score(conn, s->out, s->call->actor.sub, s->score);
    if (st != ST_OK)
        return st;
    json_t *changes = json_pack("{s:i}", "score", s->score);
    struct audit_entry a = {.action = "score",
                            .resource_type = service_entry_kind.type,
                            .resource_id = s->out->id,
                            .changes = changes};
    st = service_record(s->call, &a);
    json_decref(changes);
    return st;
}

enum status service_entry_score(const struct service_call *call, const char *id, int score,
                                struct entry_row *out, struct service_outcome *outcome)
{
    struct score s = {call, id, score, out, outcome};
    return service_run(call, DB_READ_COMMITTED, score_tx, &s);
}

enum status service_entry_scores(const struct service_call *call, const char *id, json_t **items)
{
    struct entry_row row = {0};
    enum status st = store_entry_get(call->conn, id, false, &row);
    entry_row_cleanup(&row);
    return st == ST_OK ? store_entry_scores(call->conn, id, items) : st;
}
