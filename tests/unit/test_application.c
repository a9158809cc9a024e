/* The accreditation application: every state × action × role against the
 * machine written out edge by edge here, allowed_actions, the names, and the
 * rules across fields of an application document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "application.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

/* The state machine of DOMAIN.md section 1, apart from the code under test. */
static const struct edge {
    enum application_status from;
    enum application_action action;
    enum application_status to;
} edges[] = {
    {APPLICATION_SUBMITTED, APPLICATION_ACT_START_REVIEW, APPLICATION_UNDER_REVIEW},
    {APPLICATION_SUBMITTED, APPLICATION_ACT_REQUEST_CHANGES, APPLICATION_CHANGES_REQUESTED},
    {APPLICATION_UNDER_REVIEW, APPLICATION_ACT_REQUEST_CHANGES, APPLICATION_CHANGES_REQUESTED},
    {APPLICATION_CHANGES_REQUESTED, APPLICATION_ACT_RESUBMIT, APPLICATION_SUBMITTED},
    {APPLICATION_UNDER_REVIEW, APPLICATION_ACT_APPROVE, APPLICATION_APPROVED},
    {APPLICATION_SUBMITTED, APPLICATION_ACT_REJECT, APPLICATION_REJECTED},
    {APPLICATION_UNDER_REVIEW, APPLICATION_ACT_REJECT, APPLICATION_REJECTED},
    {APPLICATION_CHANGES_REQUESTED, APPLICATION_ACT_REJECT, APPLICATION_REJECTED},
    {APPLICATION_SUBMITTED, APPLICATION_ACT_WITHDRAW, APPLICATION_WITHDRAWN},
    {APPLICATION_UNDER_REVIEW, APPLICATION_ACT_WITHDRAW, APPLICATION_WITHDRAWN},
    {APPLICATION_CHANGES_REQUESTED, APPLICATION_ACT_WITHDRAW, APPLICATION_WITHDRAWN},
    {APPLICATION_SUBMITTED, APPLICATION_ACT_EDIT, APPLICATION_SUBMITTED},
    {APPLICATION_CHANGES_REQUESTED, APPLICATION_ACT_EDIT, APPLICATION_CHANGES_REQUESTED},
    {APPLICATION_APPROVED, APPLICATION_ACT_COLLECT_CREDENTIALS, APPLICATION_APPROVED},
};

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};

static unsigned who(enum application_action action)
{
    switch (action) {
    case APPLICATION_ACT_RESUBMIT:
    case APPLICATION_ACT_WITHDRAW:
    case APPLICATION_ACT_COLLECT_CREDENTIALS:
        return ROLE_APPLICANT;
    case APPLICATION_ACT_EDIT:
        return ROLE_APPLICANT | ROLE_STAFF | ROLE_ADMIN;
    default:
        return ROLE_STAFF | ROLE_ADMIN;
    }
}

static enum status expected(enum application_status from, enum application_action action,
                            unsigned role, bool collected, enum application_status *to)
{
    if ((who(action) & role) == 0)
        return ST_FORBIDDEN;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        if (edges[i].from != from || edges[i].action != action)
            continue;
        if (action == APPLICATION_ACT_COLLECT_CREDENTIALS && collected)
            return ST_INVALID_STATE;
        *to = edges[i].to;
        return ST_OK;
    }
    return ST_INVALID_STATE;
}

static void every_transition(void **state)
{
    (void)state;
    size_t allowed = 0;
    for (int from = 0; from < APPLICATION_STATUS_COUNT; from++)
        for (int action = 0; action < APPLICATION_ACTION_COUNT; action++)
            for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++)
                for (int collected = 0; collected < 2; collected++) {
                    enum application_status want_to = APPLICATION_WITHDRAWN, to = 99;
                    enum status want = expected(from, action, roles[r], collected, &want_to);
                    enum status got =
                        application_transition(from, action, roles[r], collected, &to);
                    if (got != want)
                        fail_msg("%s from %s by role %u (collected %d): %d, want %d",
                                 application_action_name(action), application_status_name(from),
                                 roles[r], collected, got, want);
                    if (want == ST_OK) {
                        assert_int_equal(to, want_to);
                        allowed++;
                    } else {
                        assert_int_equal(to, 99); /* untouched */
                    }
                }
    /* 9 edges for staff and for admin, 7 for the applicant (6 once the
     * credentials are collected), each counted with collected false and true. */
    assert_int_equal(allowed, 9 * 2 * 2 + 7 + 6);
}

static void allowed_actions_match_transitions(void **state)
{
    (void)state;
    for (int st = 0; st < APPLICATION_STATUS_COUNT; st++)
        for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++)
            for (int collected = 0; collected < 2; collected++) {
                const char *got[APPLICATION_ACTION_COUNT];
                size_t n = application_allowed_actions(st, roles[r], collected, got,
                                                       APPLICATION_ACTION_COUNT);
                size_t k = 0;
                for (int a = 0; a < APPLICATION_ACTION_COUNT; a++) {
                    enum application_status to;
                    if (expected(st, a, roles[r], collected, &to) != ST_OK)
                        continue;
                    assert_true(k < n);
                    assert_string_equal(got[k++], application_action_name(a));
                }
                assert_int_equal(n, k);
            }
}

static void assert_actions(enum application_status st, unsigned role, bool collected,
                           const char *const *want, size_t nwant)
{
    const char *got[APPLICATION_ACTION_COUNT];
    size_t n = application_allowed_actions(st, role, collected, got, APPLICATION_ACTION_COUNT);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got[i], want[i]);
}

static void allowed_actions_examples(void **state)
{
    (void)state;
    static const char *const staff_submitted[] = {"start-review", "request-changes", "reject",
                                                  "edit"};
    static const char *const staff_review[] = {"request-changes", "approve", "reject"};
    static const char *const applicant_submitted[] = {"withdraw", "edit"};
    static const char *const applicant_changes[] = {"resubmit", "withdraw", "edit"};
    static const char *const applicant_approved[] = {"collect-credentials"};
    assert_actions(APPLICATION_SUBMITTED, ROLE_STAFF, false, staff_submitted, 4);
    assert_actions(APPLICATION_SUBMITTED, ROLE_ADMIN, false, staff_submitted, 4);
    assert_actions(APPLICATION_UNDER_REVIEW, ROLE_STAFF, false, staff_review, 3);
    assert_actions(APPLICATION_SUBMITTED, ROLE_APPLICANT, false, applicant_submitted, 2);
    assert_actions(APPLICATION_CHANGES_REQUESTED, ROLE_APPLICANT, false, applicant_changes, 3);
    assert_actions(APPLICATION_APPROVED, ROLE_APPLICANT, false, applicant_approved, 1);
    assert_actions(APPLICATION_APPROVED, ROLE_APPLICANT, true, NULL, 0);
    assert_actions(APPLICATION_APPROVED, ROLE_STAFF, false, NULL, 0);
    assert_actions(APPLICATION_REJECTED, ROLE_STAFF, false, NULL, 0);
    assert_actions(APPLICATION_WITHDRAWN, ROLE_APPLICANT, false, NULL, 0);
    assert_actions(APPLICATION_SUBMITTED, ROLE_REGISTRAR, false, NULL, 0);
    assert_actions(APPLICATION_SUBMITTED, ROLE_PUBLIC, false, NULL, 0);
}

static void allowed_actions_respects_cap(void **state)
{
    (void)state;
    const char *out[4] = {NULL, NULL, NULL, "sentinel"};
    assert_int_equal(application_allowed_actions(APPLICATION_SUBMITTED, ROLE_STAFF, false, out, 2),
                     2);
    assert_string_equal(out[0], "start-review");
    assert_string_equal(out[1], "request-changes");
    assert_null(out[2]);
    assert_int_equal(application_allowed_actions(APPLICATION_SUBMITTED, ROLE_STAFF, false, NULL, 0),
                     0);
}

static void role_sets_and_bad_values(void **state)
{
    (void)state;
    enum application_status to = APPLICATION_SUBMITTED;
    /* Any role of a set may act (a caller passes one bit; a set is a union). */
    assert_int_equal(application_transition(APPLICATION_UNDER_REVIEW, APPLICATION_ACT_APPROVE,
                                            ROLE_APPLICANT | ROLE_STAFF, false, &to),
                     ST_OK);
    assert_int_equal(to, APPLICATION_APPROVED);
    /* A role question comes before a state one. */
    assert_int_equal(application_transition(APPLICATION_REJECTED, APPLICATION_ACT_APPROVE,
                                            ROLE_APPLICANT, false, &to),
                     ST_FORBIDDEN);
    assert_int_equal(application_transition((enum application_status)6, APPLICATION_ACT_EDIT,
                                            ROLE_STAFF, false, &to),
                     ST_INVALID);
    assert_int_equal(application_transition(APPLICATION_SUBMITTED, (enum application_action)8,
                                            ROLE_STAFF, false, &to),
                     ST_INVALID);
    assert_int_equal(application_transition((enum application_status) - 1, APPLICATION_ACT_EDIT,
                                            ROLE_STAFF, false, &to),
                     ST_INVALID);
    const char *out[APPLICATION_ACTION_COUNT];
    assert_int_equal(application_allowed_actions((enum application_status)6, ROLE_STAFF, false, out,
                                                 APPLICATION_ACTION_COUNT),
                     0);
}

static void names(void **state)
{
    (void)state;
    static const char *const statuses[] = {"submitted", "under_review", "changes_requested",
                                           "approved",  "rejected",     "withdrawn"};
    static const char *const actions[] = {
        "start-review", "request-changes", "resubmit", "approve",
        "reject",       "withdraw",        "edit",     "collect-credentials"};
    for (int i = 0; i < APPLICATION_STATUS_COUNT; i++) {
        enum application_status s;
        assert_string_equal(application_status_name(i), statuses[i]);
        assert_true(application_status_parse(statuses[i], &s));
        assert_int_equal(s, i);
    }
    for (int i = 0; i < APPLICATION_ACTION_COUNT; i++) {
        enum application_action a;
        assert_string_equal(application_action_name(i), actions[i]);
        assert_true(application_action_parse(actions[i], &a));
        assert_int_equal(a, i);
        assert_int_equal(application_action_needs_reason(i),
                         i == APPLICATION_ACT_REQUEST_CHANGES || i == APPLICATION_ACT_REJECT);
    }
    assert_null(application_status_name((enum application_status)6));
    assert_null(application_action_name((enum application_action)8));
    assert_false(application_action_needs_reason((enum application_action)8));
    enum application_status s = APPLICATION_APPROVED;
    static const char *const bad_statuses[] = {"Submitted", "under-review", "", "submitted ",
                                               "approve"};
    for (size_t i = 0; i < sizeof bad_statuses / sizeof bad_statuses[0]; i++)
        assert_false(application_status_parse(bad_statuses[i], &s));
    assert_false(application_status_parse(NULL, &s));
    assert_int_equal(s, APPLICATION_APPROVED); /* untouched */
    enum application_action a = APPLICATION_ACT_EDIT;
    assert_false(application_action_parse("start_review", &a));
    assert_false(application_action_parse("credentials", &a));
    assert_false(application_action_parse("approved", &a));
    assert_false(application_action_parse(NULL, &a));
    assert_int_equal(a, APPLICATION_ACT_EDIT);
}

/* --- Rules across fields ---------------------------------------------------- */

#define CONTACTS "[{\"type\":\"admin\"},{\"type\":\"technical\"},{\"type\":\"security\"}]"

static size_t check(const char *text, struct field_issue *out)
{
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(doc);
    size_t n = application_check(doc, out, APPLICATION_MAX_ISSUES);
    json_decref(doc);
    return n;
}

static void assert_one_issue(const char *text, const char *pointer, const char *code)
{
    struct field_issue out[APPLICATION_MAX_ISSUES];
    size_t n = check(text, out);
    if (n != 1)
        fail_msg("%zu issues for %s", n, text);
    assert_string_equal(out[0].pointer, pointer);
    assert_string_equal(error_code_name(out[0].code), code);
}

static void assert_no_issue(const char *text)
{
    struct field_issue out[APPLICATION_MAX_ISSUES];
    size_t n = check(text, out);
    if (n != 0)
        fail_msg("%s %s for %s", out[0].pointer, error_code_name(out[0].code), text);
}

static void tax_identity_rules(void **state)
{
    (void)state;
    assert_no_issue("{\"nif\":\"500000000\",\"contacts\":" CONTACTS "}");
    assert_no_issue("{\"nif\":\"500000000\",\"country\":\"PT\",\"contacts\":" CONTACTS "}");
    /* A foreign company with a Portuguese NIF (71…) keeps its own country. */
    assert_no_issue("{\"nif\":\"710000006\",\"country\":\"ES\",\"contacts\":" CONTACTS "}");
    assert_no_issue("{\"vat_number\":\"DE123456789\",\"country\":\"DE\",\"contacts\":" CONTACTS
                    "}");
    assert_no_issue("{\"vat_number\":\"EL094014201\",\"country\":\"GR\",\"contacts\":" CONTACTS
                    "}");
    assert_one_issue("{\"contacts\":" CONTACTS "}", "/nif", "required");
    assert_one_issue("{\"nif\":\"500000000\",\"vat_number\":\"DE123456789\",\"country\":\"DE\","
                     "\"contacts\":" CONTACTS "}",
                     "/vat_number", "exclusive");
    assert_one_issue("{\"vat_number\":\"DE123456789\",\"contacts\":" CONTACTS "}", "/country",
                     "required");
    assert_one_issue("{\"vat_number\":\"PT500000000\",\"country\":\"PT\",\"contacts\":" CONTACTS
                     "}",
                     "/vat_number", "use_nif");
    assert_one_issue("{\"vat_number\":\"DE12345678\",\"country\":\"DE\",\"contacts\":" CONTACTS "}",
                     "/vat_number", "vat_number");
    assert_one_issue("{\"vat_number\":\"123456789\",\"country\":\"FR\",\"contacts\":" CONTACTS "}",
                     "/vat_number", "vat_number");
}

static void address_and_contact_rules(void **state)
{
    (void)state;
    assert_no_issue("{\"nif\":\"500000000\",\"address\":{\"postal_code\":\"1000-001\","
                    "\"country\":\"PT\"},\"contacts\":" CONTACTS "}");
    assert_no_issue("{\"nif\":\"500000000\",\"address\":{\"postal_code\":\"28001\","
                    "\"country\":\"ES\"},\"contacts\":" CONTACTS "}");
    assert_one_issue("{\"nif\":\"500000000\",\"address\":{\"postal_code\":\"1000001\","
                     "\"country\":\"PT\"},\"contacts\":" CONTACTS "}",
                     "/address/postal_code", "postal_code");
    assert_one_issue("{\"nif\":\"500000000\",\"contacts\":[{\"type\":\"admin\"},"
                     "{\"type\":\"technical\"},{\"type\":\"billing\"}]}",
                     "/contacts", "security_contact_required");
    /* No contacts member: the field table's "required", not ours. */
    assert_no_issue("{\"nif\":\"500000000\"}");
    struct field_issue out[APPLICATION_MAX_ISSUES];
    assert_int_equal(check("{\"address\":{\"postal_code\":\"x\",\"country\":\"PT\"},"
                           "\"contacts\":[]}",
                           out),
                     5);
    assert_string_equal(out[0].pointer, "/nif");
    assert_string_equal(out[1].pointer, "/address/postal_code");
    assert_string_equal(error_code_name(out[2].code), "admin_contact_required");
    assert_string_equal(error_code_name(out[3].code), "technical_contact_required");
    assert_string_equal(error_code_name(out[4].code), "security_contact_required");
    json_t *doc = json_loads("{\"contacts\":[]}", 0, NULL);
    assert_int_equal(application_check(doc, out, 2), 2);
    json_decref(doc);
}

static void assert_tax_id(const char *text, const char *want)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct application a;
    application_from_json(doc, &a);
    char *got = application_tax_id(&a);
    application_cleanup(&a);
    json_decref(doc);
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void tax_ids(void **state)
{
    (void)state;
    assert_tax_id("{\"nif\":\"500000000\"}", "PT500000000");
    assert_tax_id("{\"nif\":\"710000006\",\"country\":\"ES\"}", "PT710000006");
    assert_tax_id("{\"vat_number\":\"de123456789\",\"country\":\"DE\"}", "DE123456789");
    assert_tax_id("{\"vat_number\":\"123456789\",\"country\":\"DE\"}", "DE123456789");
    assert_tax_id("{\"vat_number\":\"EL094014201\",\"country\":\"GR\"}", "GR094014201");
    assert_tax_id("{\"vat_number\":\"XI123456789\",\"country\":\"GB\"}", "GB123456789");
    assert_tax_id("{\"nif\":\"500000001\"}", NULL);
    assert_tax_id("{\"vat_number\":\"DE123456789\"}", NULL);
    assert_tax_id("{\"vat_number\":\"DE12345678\",\"country\":\"DE\"}", NULL);
    assert_tax_id("{}", NULL);
}

/* The document survives the trip through the struct: every member, in the
 * documented order, with absent tax fields as null. */
static void document_round_trip(void **state)
{
    (void)state;
    const char *text =
        "{\"legal_name\":\"L, Lda.\",\"trade_name\":\"L\",\"nif\":\"500000000\","
        "\"vat_number\":null,\"country\":\"PT\",\"address\":{\"street\":\"R\","
        "\"postal_code\":\"1000-001\",\"city\":\"Lisboa\",\"country\":\"PT\"},"
        "\"website\":\"https://l.pt\",\"contacts\":[{\"type\":\"admin\",\"name\":\"A\","
        "\"email\":\"a@l.pt\",\"phone\":\"+351210000000\"}],\"accepted_terms_version\":\"1\","
        "\"requested_programs\":[\"3em1\"]}";
    json_t *doc = json_loads(text, 0, NULL);
    struct application a;
    application_from_json(doc, &a);
    assert_int_equal(a.ncontacts, 1);
    assert_null(a.vat_number);
    json_t *back = application_to_json(&a);
    char *dumped = json_dumps(back, JSON_COMPACT);
    assert_string_equal(dumped, text);
    free(dumped);
    json_decref(back);
    json_decref(doc);
    application_cleanup(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(document_round_trip),
        cmocka_unit_test(every_transition),
        cmocka_unit_test(allowed_actions_match_transitions),
        cmocka_unit_test(allowed_actions_examples),
        cmocka_unit_test(allowed_actions_respects_cap),
        cmocka_unit_test(role_sets_and_bad_values),
        cmocka_unit_test(names),
        cmocka_unit_test(tax_identity_rules),
        cmocka_unit_test(address_and_contact_rules),
        cmocka_unit_test(tax_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
