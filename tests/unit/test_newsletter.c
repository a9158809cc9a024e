/* The newsletter, pure: its three machines edge by edge against the tables
 * of newsletter.h written out here, what publishing needs, the calendar
 * date of an issue, when a subscribe request sends a confirmation, what a
 * link token is, and the List-Unsubscribe header a template's vars ask for
 * (mail_list_unsubscribe, mail.h), and the base of those links
 * (PARCERIA_PUBLIC_URL, config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "config.h"
#include "machine.h"
#include "mail.h"
#include "newsletter.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
#define NROLES (sizeof roles / sizeof *roles)
#define STAFF (ROLE_STAFF | ROLE_ADMIN)

struct edge {
    int from, action, to;
};

/* Every state × action × role: ST_OK exactly on the edges written here for
 * the roles who may; ST_FORBIDDEN for other roles; ST_INVALID_STATE else. */
static void check_machine(const struct machine *m, const struct edge *edges, size_t n, unsigned who)
{
    for (size_t s = 0; s < m->nstates; s++)
        for (size_t a = 0; a < m->nactions; a++)
            for (size_t r = 0; r < NROLES; r++) {
                int to = -2, want_to = -2;
                for (size_t e = 0; e < n; e++)
                    if (edges[e].from == (int)s && edges[e].action == (int)a)
                        want_to = edges[e].to;
                enum status st = machine_transition(m, (int)s, (int)a, roles[r], &to);
                enum status want = (roles[r] & who) == 0 ? ST_FORBIDDEN
                                   : want_to == -2       ? ST_INVALID_STATE
                                                         : ST_OK;
                assert_int_equal(st, want);
                if (want == ST_OK)
                    assert_int_equal(to, want_to);
            }
}

static void issue_machine_every_edge(void **state)
{
    (void)state;
    const struct edge edges[] = {
        {ISSUE_PLANNED, ISSUE_ACT_PUBLISH, ISSUE_PUBLISHED},
        {ISSUE_PLANNED, ISSUE_ACT_EDIT, ISSUE_PLANNED},
    };
    check_machine(&newsletter_issue_machine, edges, 2, STAFF);
    assert_string_equal(newsletter_issue_machine.actions[ISSUE_ACT_PUBLISH].name, "publish");
    assert_int_equal(newsletter_issue_machine.actions[ISSUE_ACT_PUBLISH].effects, ISSUE_EFFECT_URL);
}

static void suggestion_machine_every_edge(void **state)
{
    (void)state;
    const struct edge edges[] = {
        {SUGGESTION_SUBMITTED, SUGGESTION_ACT_ACCEPT, SUGGESTION_ACCEPTED},
        {SUGGESTION_SUBMITTED, SUGGESTION_ACT_DECLINE, SUGGESTION_DECLINED},
        {SUGGESTION_ACCEPTED, SUGGESTION_ACT_USE, SUGGESTION_USED},
    };
    check_machine(&newsletter_suggestion_machine, edges, 3, STAFF);
    const struct machine_action *a = newsletter_suggestion_machine.actions;
    assert_true(a[SUGGESTION_ACT_DECLINE].needs_reason);
    assert_false(a[SUGGESTION_ACT_ACCEPT].needs_reason);
    assert_int_equal(a[SUGGESTION_ACT_ACCEPT].effects, SUGGESTION_EFFECT_ISSUE);
    assert_int_equal(a[SUGGESTION_ACT_USE].effects, SUGGESTION_EFFECT_PUBLISHED);
}

static void subscription_machine_every_edge(void **state)
{
    (void)state;
    const struct edge edges[] = {
        {SUBSCRIPTION_PENDING, SUBSCRIPTION_ACT_CONFIRM, SUBSCRIPTION_CONFIRMED},
        {SUBSCRIPTION_UNSUBSCRIBED, SUBSCRIPTION_ACT_CONFIRM, SUBSCRIPTION_CONFIRMED},
        {SUBSCRIPTION_CONFIRMED, SUBSCRIPTION_ACT_UNSUBSCRIBE, SUBSCRIPTION_UNSUBSCRIBED},
    };
    /* whoever holds the token: the machine admits every role bit the
     * service passes (NEWSLETTER_TOKEN_HOLDER), never the bare public 0 */
    check_machine(&newsletter_subscription_machine, edges, 3, NEWSLETTER_TOKEN_HOLDER);
}

static void names_round_trip(void **state)
{
    (void)state;
    enum newsletter_issue_status i;
    enum newsletter_suggestion_status s;
    enum newsletter_subscription_status u;
    assert_true(newsletter_issue_status_parse("published", &i) && i == ISSUE_PUBLISHED);
    assert_false(newsletter_issue_status_parse("draft", &i));
    assert_true(newsletter_suggestion_status_parse("used", &s) && s == SUGGESTION_USED);
    assert_false(newsletter_suggestion_status_parse(NULL, &s));
    assert_true(newsletter_subscription_status_parse("unsubscribed", &u) &&
                u == SUBSCRIPTION_UNSUBSCRIBED);
    assert_string_equal(newsletter_subscription_status_name(SUBSCRIPTION_PENDING), "pending");
    assert_null(newsletter_issue_status_name((enum newsletter_issue_status)7));
}

static void publishing_needs_an_https_url(void **state)
{
    (void)state;
    struct newsletter_issue_row r = {0};
    assert_false(newsletter_issue_publishable(&r));
    strcpy(r.url, "http://www.pt.pt/n/1");
    assert_false(newsletter_issue_publishable(&r));
    strcpy(r.url, "https://www.pt.pt/newsletter/42");
    assert_true(newsletter_issue_publishable(&r));
    strcpy(r.url, "https://");
    assert_false(newsletter_issue_publishable(&r));
}

static void dates_are_calendar_days(void **state)
{
    (void)state;
    assert_true(newsletter_valid_date("2027-03-15"));
    assert_true(newsletter_valid_date("2028-02-29")); /* leap */
    assert_false(newsletter_valid_date("2027-02-29"));
    assert_true(newsletter_valid_date("2000-02-29")); /* divisible by 400 */
    assert_false(newsletter_valid_date("2100-02-29"));
    assert_false(newsletter_valid_date("2027-04-31"));
    assert_false(newsletter_valid_date("2027-13-01"));
    assert_false(newsletter_valid_date("2027-00-10"));
    assert_false(newsletter_valid_date("2027-1-01"));
    assert_false(newsletter_valid_date("1999-12-31"));
    assert_false(newsletter_valid_date("2027-03-15T00:00:00Z"));
    assert_false(newsletter_valid_date("2027/03/15"));
    assert_false(newsletter_valid_date(NULL));
}

static void one_confirmation_an_hour_never_to_a_confirmed_address(void **state)
{
    (void)state;
    assert_true(newsletter_confirmation_due(SUBSCRIPTION_PENDING, -1));
    assert_false(newsletter_confirmation_due(SUBSCRIPTION_PENDING, 0));
    assert_false(newsletter_confirmation_due(SUBSCRIPTION_PENDING, NEWSLETTER_CONFIRM_EVERY_S - 1));
    assert_true(newsletter_confirmation_due(SUBSCRIPTION_PENDING, NEWSLETTER_CONFIRM_EVERY_S));
    assert_true(newsletter_confirmation_due(SUBSCRIPTION_UNSUBSCRIBED, 86400));
    assert_false(newsletter_confirmation_due(SUBSCRIPTION_UNSUBSCRIBED, 60));
    assert_false(newsletter_confirmation_due(SUBSCRIPTION_CONFIRMED, -1));
    assert_false(newsletter_confirmation_due(SUBSCRIPTION_CONFIRMED, 86400));
    assert_int_equal(NEWSLETTER_TOKEN_TTL_S, 7 * 24 * 3600);
}

static void tokens_are_43_base64url_characters(void **state)
{
    (void)state;
    assert_true(newsletter_token_valid("q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x3"));
    assert_true(newsletter_token_valid("-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-"));
    assert_false(newsletter_token_valid("q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x"));   /* 42 */
    assert_false(newsletter_token_valid("q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x3a")); /* 44 */
    assert_false(newsletter_token_valid("q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x="));
    assert_false(newsletter_token_valid("q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x+"));
    assert_false(newsletter_token_valid("q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x\n"));
    assert_false(newsletter_token_valid(NULL));
}

/* --- mail_list_unsubscribe ------------------------------------------------ */

static enum status unsubscribe_of(const char *base, json_t *vars, char **out)
{
    enum status st = mail_list_unsubscribe(base, vars, out);
    json_decref(vars);
    return st;
}

static void list_unsubscribe_from_vars(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(unsubscribe_of("https://parceria.dns.pt",
                                    json_pack("{s:s}", "list_unsubscribe",
                                              "/v1/newsletter/unsubscribe?token=abc"),
                                    &out),
                     ST_OK);
    assert_string_equal(out, "<https://parceria.dns.pt/v1/newsletter/unsubscribe?token=abc>");
    free(out);
    /* without the var: no header, no error */
    out = (char *)1;
    assert_int_equal(
        unsubscribe_of("https://parceria.dns.pt", json_pack("{s:s}", "title", "x"), &out), ST_OK);
    assert_null(out);
}

static void list_unsubscribe_refuses_what_would_break_a_header(void **state)
{
    (void)state;
    const char *bad[] = {"/v1/u?token=a\r\nBcc: x@y.pt",
                         "/v1/u?token=a\nX: y",
                         "/v1/u?t=a b",
                         "/v1/u?t=<a>",
                         "v1/no-slash",
                         "",
                         "/v1/u?t=%zz",
                         "/v1/ü"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *out = (char *)1;
        assert_int_equal(unsubscribe_of("https://parceria.dns.pt",
                                        json_pack("{s:s}", "list_unsubscribe", bad[i]), &out),
                         ST_INVALID);
        assert_null(out);
    }
    char *out = NULL;
    /* not a string; an http base */
    assert_int_equal(
        unsubscribe_of("https://parceria.dns.pt", json_pack("{s:i}", "list_unsubscribe", 3), &out),
        ST_INVALID);
    assert_int_equal(unsubscribe_of("http://parceria.dns.pt",
                                    json_pack("{s:s}", "list_unsubscribe", "/v1/u?t=a"), &out),
                     ST_INVALID);
    assert_null(out);
}

static void list_unsubscribe_headers_are_built(void **state)
{
    (void)state;
    struct mail_message m = {.from = "Parceria <p@dns.pt>",
                             .to = "ana@exemplo.pt",
                             .subject = "Newsletter n.º 42",
                             .text = "Olá\n",
                             .message_id = "<1@parceria.dns.pt>",
                             .list_unsubscribe = "<https://parceria.dns.pt/v1/u?token=abc>",
                             .list_unsubscribe_post = MAIL_ONE_CLICK};
    char *msg = NULL;
    size_t len = 0;
    assert_int_equal(mail_build(&m, &msg, &len), ST_OK);
    assert_non_null(
        strstr(msg, "\r\nList-Unsubscribe: <https://parceria.dns.pt/v1/u?token=abc>\r\n"));
    assert_non_null(strstr(msg, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    free(msg);
    m.list_unsubscribe = "<https://x.pt/u>\r\nBcc: z@y.pt";
    assert_int_equal(mail_build(&m, &msg, &len), ST_INVALID);
    assert_null(msg);
}

static void templates_render_their_links(void **state)
{
    (void)state;
    char *subject = NULL, *text = NULL, *html = NULL;
    json_t *vars = json_pack("{s:s, s:s, s:s}", "email", "ana@exemplo.pt", "token",
                             "q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x3", "public_url",
                             "https://parceria.dns.pt");
    assert_int_equal(mail_render("newsletter-confirm", vars, &subject, &text, &html), ST_OK);
    assert_non_null(strstr(text, "https://parceria.dns.pt/newsletter/"
                                 "confirmar?token=q3Xo1bX0v0T9m8mI6k5J4h3G2f1E0d9C8b7A6z5Y4x3"));
    assert_non_null(strstr(text, "-- English"));
    free(subject), free(text), free(html);
    json_decref(vars);
    vars = json_pack("{s:i, s:s, s:s, s:s, s:s}", "number", 42, "title", "Março", "url",
                     "https://www.pt.pt/n/42", "list_unsubscribe",
                     "/v1/newsletter/unsubscribe?token=t", "public_url", "https://parceria.dns.pt");
    assert_int_equal(mail_render("newsletter-issue", vars, &subject, &text, &html), ST_OK);
    assert_non_null(strstr(subject, "42"));
    assert_non_null(strstr(text, "https://parceria.dns.pt/v1/newsletter/unsubscribe?token=t"));
    free(subject), free(text), free(html);
    json_decref(vars);
}

/* --- PARCERIA_PUBLIC_URL -------------------------------------------------- */

static const char *public_url;

static const char *lookup(const char *name)
{
    if (strcmp(name, "PARCERIA_JWT_SECRET") == 0)
        return "0123456789abcdef0123456789abcdef";
    return strcmp(name, "PARCERIA_PUBLIC_URL") == 0 ? public_url : NULL;
}

static void public_url_defaults_and_is_checked(void **state)
{
    (void)state;
    struct config cfg;
    char *errors = NULL;
    public_url = NULL;
    assert_true(config_load(&cfg, lookup, &errors));
    assert_string_equal(cfg.public_url, "https://parceria.dns.pt");
    config_cleanup(&cfg);
    public_url = "https://parceria.exemplo.pt/";
    assert_true(config_load(&cfg, lookup, &errors));
    assert_string_equal(cfg.public_url, "https://parceria.exemplo.pt"); /* no trailing slash */
    config_cleanup(&cfg);
    const char *bad[] = {"http://parceria.dns.pt", "parceria.dns.pt",   "https://x.pt/?a=1",
                         "https://x.pt/#f",        "https://user@x.pt", "https://x.pt/a b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        public_url = bad[i];
        errors = NULL;
        assert_false(config_load(&cfg, lookup, &errors));
        assert_non_null(strstr(errors, "PARCERIA_PUBLIC_URL"));
        free(errors);
        config_cleanup(&cfg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(issue_machine_every_edge),
        cmocka_unit_test(suggestion_machine_every_edge),
        cmocka_unit_test(subscription_machine_every_edge),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(publishing_needs_an_https_url),
        cmocka_unit_test(dates_are_calendar_days),
        cmocka_unit_test(one_confirmation_an_hour_never_to_a_confirmed_address),
        cmocka_unit_test(tokens_are_43_base64url_characters),
        cmocka_unit_test(list_unsubscribe_from_vars),
        cmocka_unit_test(list_unsubscribe_refuses_what_would_break_a_header),
        cmocka_unit_test(list_unsubscribe_headers_are_built),
        cmocka_unit_test(templates_render_their_links),
        cmocka_unit_test(public_url_defaults_and_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
