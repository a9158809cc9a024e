/* Incident reports, pure: the machine edge by edge for every role against
 * the table of incident.h written out here, what a registrar's edit is
 * ruled out in, the acknowledgement's hours by severity, TLP:RED's
 * confidentiality, and the affected names (normalized, repeats and bad
 * names named by index). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "incident.h"
#include "machine.h"
#include "role.h"

#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
#define NROLES (sizeof roles / sizeof *roles)
#define STAFF (ROLE_STAFF | ROLE_ADMIN)

struct edge {
    int from, action, to;
    unsigned who;
};

static const struct edge edges[] = {
    {INCIDENT_REPORTED, INCIDENT_ACT_ACKNOWLEDGE, INCIDENT_ACKNOWLEDGED, STAFF},
    {INCIDENT_ACKNOWLEDGED, INCIDENT_ACT_INVESTIGATE, INCIDENT_INVESTIGATING, STAFF},
    {INCIDENT_INVESTIGATING, INCIDENT_ACT_RESOLVE, INCIDENT_RESOLVED, STAFF},
    {INCIDENT_RESOLVED, INCIDENT_ACT_CLOSE, INCIDENT_CLOSED, STAFF},
    {INCIDENT_REPORTED, INCIDENT_ACT_EDIT, MACHINE_SAME, STAFF | ROLE_REGISTRAR},
    {INCIDENT_ACKNOWLEDGED, INCIDENT_ACT_EDIT, MACHINE_SAME, STAFF | ROLE_REGISTRAR},
    {INCIDENT_INVESTIGATING, INCIDENT_ACT_EDIT, MACHINE_SAME, STAFF | ROLE_REGISTRAR},
    {INCIDENT_RESOLVED, INCIDENT_ACT_EDIT, MACHINE_SAME, STAFF | ROLE_REGISTRAR},
};
#define NEDGES (sizeof edges / sizeof *edges)

static void machine_every_edge_role_and_state(void **state)
{
    (void)state;
    const struct machine *m = &incident_machine;
    for (size_t s = 0; s < m->nstates; s++)
        for (size_t a = 0; a < m->nactions; a++)
            for (size_t r = 0; r < NROLES; r++) {
                const struct edge *e = NULL;
                for (size_t i = 0; i < NEDGES; i++)
                    if (edges[i].from == (int)s && edges[i].action == (int)a)
                        e = &edges[i];
                unsigned who = 0;
                for (size_t i = 0; i < NEDGES; i++)
                    if (edges[i].action == (int)a)
                        who = edges[i].who;
                int to = -2;
                enum status st = machine_transition(m, (int)s, (int)a, roles[r], &to);
                if (!(who & roles[r]))
                    assert_int_equal(st, ST_FORBIDDEN);
                else if (e == NULL)
                    assert_int_equal(st, ST_INVALID_STATE);
                else {
                    assert_int_equal(st, ST_OK);
                    assert_int_equal(to, e->to == MACHINE_SAME ? (int)s : e->to);
                }
            }
}

static void machine_names(void **state)
{
    (void)state;
    const char *names[] = {"acknowledge", "investigate", "resolve", "close", "edit"};
    for (int i = 0; i < INCIDENT_ACTION_COUNT; i++)
        assert_int_equal(machine_action(&incident_machine, names[i]), i);
    const char *states[] = {"reported", "acknowledged", "investigating", "resolved", "closed"};
    for (int i = 0; i < INCIDENT_STATUS_COUNT; i++) {
        enum incident_status s;
        assert_string_equal(incident_status_name((enum incident_status)i), states[i]);
        assert_true(incident_status_parse(states[i], &s));
        assert_int_equal(s, i);
    }
    enum incident_status s;
    assert_false(incident_status_parse("open", &s));
    assert_null(incident_status_name((enum incident_status)INCIDENT_STATUS_COUNT));
}

static void a_registrar_edits_only_while_reported(void **state)
{
    (void)state;
    for (int s = 0; s < INCIDENT_STATUS_COUNT; s++) {
        unsigned want = s == INCIDENT_REPORTED ? 0 : MACHINE_BIT(INCIDENT_ACT_EDIT);
        assert_int_equal(incident_ruled_out_for((enum incident_status)s, ROLE_REGISTRAR), want);
        assert_int_equal(incident_ruled_out_for((enum incident_status)s, ROLE_STAFF), 0);
        assert_int_equal(incident_ruled_out_for((enum incident_status)s, ROLE_ADMIN), 0);
    }
    const char *names[8];
    unsigned skip = incident_ruled_out_for(INCIDENT_ACKNOWLEDGED, ROLE_REGISTRAR);
    assert_int_equal(
        machine_allowed(&incident_machine, INCIDENT_ACKNOWLEDGED, ROLE_REGISTRAR, skip, names, 8),
        0);
    assert_int_equal(
        machine_allowed(&incident_machine, INCIDENT_REPORTED, ROLE_REGISTRAR, 0, names, 8), 1);
    assert_string_equal(names[0], "edit");
}

static void acknowledgement_hours_by_severity(void **state)
{
    (void)state;
    assert_int_equal(incident_acknowledge_hours("critical"), 1);
    assert_int_equal(incident_acknowledge_hours("high"), 4);
    assert_int_equal(incident_acknowledge_hours("medium"), 24);
    assert_int_equal(incident_acknowledge_hours("low"), 72);
    assert_int_equal(incident_acknowledge_hours("urgent"), 0);
    assert_int_equal(incident_acknowledge_hours(NULL), 0);
}

static void only_red_is_confidential(void **state)
{
    (void)state;
    for (size_t i = 0; incident_tlp_names[i] != NULL; i++)
        assert_int_equal(incident_confidential_tlp(incident_tlp_names[i]),
                         strcmp(incident_tlp_names[i], "RED") == 0);
    assert_false(incident_confidential_tlp("red")); /* the enum is upper case */
    assert_false(incident_confidential_tlp(NULL));
}

static void domains_normalized(void **state)
{
    (void)state;
    json_t *in = json_pack("[s, s, s]", "Exemplo.PT", "pão.com.pt", "loja.org.pt.");
    size_t bad = 99;
    enum error_code why = ERR_NONE;
    json_t *out = incident_domains_normalize(in, &bad, &why);
    assert_non_null(out);
    assert_int_equal(json_array_size(out), 3);
    assert_string_equal(json_string_value(json_array_get(out, 0)), "exemplo.pt");
    assert_string_equal(json_string_value(json_array_get(out, 1)), "xn--po-sia.com.pt");
    assert_string_equal(json_string_value(json_array_get(out, 2)), "loja.org.pt");
    json_decref(out);
    json_decref(in);
    in = json_array();
    out = incident_domains_normalize(in, &bad, &why);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_decref(in);
}

static void domains_bad_one_named_by_index(void **state)
{
    (void)state;
    json_t *in = json_pack("[s, s]", "ok.pt", "exemplo.com");
    size_t bad = 99;
    enum error_code why = ERR_NONE;
    assert_null(incident_domains_normalize(in, &bad, &why));
    assert_int_equal(bad, 1);
    assert_int_not_equal(why, ERR_NONE);
    json_decref(in);
    in = json_pack("[s, s, s]", "a.pt", "pão.pt", "XN--PO-SIA.PT");
    assert_null(incident_domains_normalize(in, &bad, &why));
    assert_int_equal(bad, 2);
    assert_int_equal(why, ERR_REPEATED);
    json_decref(in);
    in = json_pack("[i]", 3); /* not a string: refused, never read as one */
    assert_null(incident_domains_normalize(in, &bad, &why));
    assert_int_equal(bad, 0);
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_every_edge_role_and_state),
        cmocka_unit_test(machine_names),
        cmocka_unit_test(a_registrar_edits_only_while_reported),
        cmocka_unit_test(acknowledgement_hours_by_severity),
        cmocka_unit_test(only_red_is_confidential),
        cmocka_unit_test(domains_normalized),
        cmocka_unit_test(domains_bad_one_named_by_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
