/* Registrars' news: the status machine (who may take each action from
 * where, allowed_actions), the channels, who may submit, and the Atom
 * writer: XML escaping of markup, quotes and "]]>", control characters and
 * bytes that are not UTF-8 dropped, a CR kept as a reference, times
 * checked, and a whole feed byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "atom.h"
#include "machine.h"
#include "news.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

#define STAFF ROLE_STAFF

static int go(int from, int action, unsigned role)
{
    int to = -2;
    enum status st = machine_transition(&news_machine, from, action, role, &to);
    return st == ST_OK ? to : st == ST_FORBIDDEN ? -100 : st == ST_INVALID_STATE ? -409 : -500;
}

static void machine_moves(void **state)
{
    (void)state;
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_PUBLISH, STAFF), NEWS_PUBLISHED);
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_PUBLISH, ROLE_ADMIN), NEWS_PUBLISHED);
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_REJECT, STAFF), NEWS_REJECTED);
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_REQUEST_CHANGES, STAFF), NEWS_CHANGES_REQUESTED);
    assert_int_equal(go(NEWS_CHANGES_REQUESTED, NEWS_ACT_RESUBMIT, ROLE_REGISTRAR), NEWS_SUBMITTED);
    assert_int_equal(go(NEWS_PUBLISHED, NEWS_ACT_ARCHIVE, STAFF), NEWS_ARCHIVED);
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_EDIT, ROLE_REGISTRAR), NEWS_SUBMITTED);
    assert_int_equal(go(NEWS_CHANGES_REQUESTED, NEWS_ACT_EDIT, STAFF), NEWS_CHANGES_REQUESTED);
}

static void machine_refuses(void **state)
{
    (void)state;
    /* the role first, then the state */
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_PUBLISH, ROLE_REGISTRAR), -100);
    assert_int_equal(go(NEWS_PUBLISHED, NEWS_ACT_ARCHIVE, ROLE_REGISTRAR), -100);
    assert_int_equal(go(NEWS_CHANGES_REQUESTED, NEWS_ACT_RESUBMIT, STAFF), -100);
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_PUBLISH, ROLE_APPLICANT), -100);
    assert_int_equal(go(NEWS_PUBLISHED, NEWS_ACT_PUBLISH, STAFF), -409);
    assert_int_equal(go(NEWS_REJECTED, NEWS_ACT_PUBLISH, STAFF), -409);
    assert_int_equal(go(NEWS_CHANGES_REQUESTED, NEWS_ACT_PUBLISH, STAFF), -409);
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_ARCHIVE, STAFF), -409);
    assert_int_equal(go(NEWS_ARCHIVED, NEWS_ACT_ARCHIVE, STAFF), -409);
    assert_int_equal(go(NEWS_SUBMITTED, NEWS_ACT_RESUBMIT, ROLE_REGISTRAR), -409);
    for (int s = NEWS_PUBLISHED; s <= NEWS_ARCHIVED; s++)
        if (s != NEWS_CHANGES_REQUESTED)
            assert_int_equal(go(s, NEWS_ACT_EDIT, STAFF), -409);
    assert_true(news_machine.actions[NEWS_ACT_REJECT].needs_reason);
    assert_true(news_machine.actions[NEWS_ACT_REQUEST_CHANGES].needs_reason);
    assert_false(news_machine.actions[NEWS_ACT_PUBLISH].needs_reason);
}

static void allowed_actions(void **state)
{
    (void)state;
    const char *names[8];
    size_t n = machine_allowed(&news_machine, NEWS_SUBMITTED, STAFF, 0, names, 8);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "publish");
    assert_string_equal(names[1], "reject");
    assert_string_equal(names[2], "request-changes");
    assert_string_equal(names[3], "edit");
    n = machine_allowed(&news_machine, NEWS_CHANGES_REQUESTED, ROLE_REGISTRAR, 0, names, 8);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "resubmit");
    assert_string_equal(names[1], "edit");
    assert_int_equal(machine_allowed(&news_machine, NEWS_ARCHIVED, STAFF, 0, names, 8), 0);
    assert_int_equal(machine_allowed(&news_machine, NEWS_PUBLISHED, ROLE_REGISTRAR, 0, names, 8),
                     0);
}

static void statuses(void **state)
{
    (void)state;
    enum news_status s;
    for (int i = 0; i < NEWS_STATUS_COUNT; i++) {
        assert_true(news_status_parse(news_status_name((enum news_status)i), &s));
        assert_int_equal(s, i);
    }
    assert_false(news_status_parse("draft", &s));
    assert_false(news_status_parse(NULL, &s));
    assert_null(news_status_name((enum news_status)NEWS_STATUS_COUNT));
    struct news_row row = {.status = NEWS_PUBLISHED};
    assert_true(news_is_public(&row));
    row.status = NEWS_ARCHIVED;
    assert_false(news_is_public(&row));
}

static void channels(void **state)
{
    (void)state;
    assert_true(news_channel_valid("site"));
    assert_true(news_channel_valid("newsletter"));
    assert_true(news_channel_valid("social"));
    assert_false(news_channel_valid("Site"));
    assert_false(news_channel_valid(""));
    assert_false(news_channel_valid(NULL));
    int repeated;
    const char *three[] = {"social", "site", "newsletter"};
    unsigned bits = news_channels_of(three, 3, &repeated);
    assert_int_equal(repeated, -1);
    assert_int_equal(bits, NEWS_CHANNEL_SITE | NEWS_CHANNEL_NEWSLETTER | NEWS_CHANNEL_SOCIAL);
    const char *names[NEWS_CHANNEL_COUNT];
    assert_int_equal(news_channel_names_of(bits, names), 3);
    assert_string_equal(names[0], "site"); /* the fixed order, whatever was sent */
    assert_string_equal(names[2], "social");
    const char *twice[] = {"site", "social", "site"};
    assert_int_equal(news_channels_of(twice, 3, &repeated),
                     NEWS_CHANNEL_SITE | NEWS_CHANNEL_SOCIAL);
    assert_int_equal(repeated, 2);
    assert_int_equal(news_channel_names_of(0, names), 0);
}

static void who_may_submit(void **state)
{
    (void)state;
    assert_int_equal(news_submit_judge(true, REGISTRAR_ACCREDITED), ST_OK);
    assert_int_equal(news_submit_judge(true, REGISTRAR_SUSPENDED), ST_REGISTRAR_SUSPENDED);
    assert_int_equal(news_submit_judge(true, REGISTRAR_TERMINATED), ST_FORBIDDEN);
    assert_int_equal(news_submit_judge(false, REGISTRAR_ACCREDITED), ST_FORBIDDEN);
}

/* --- the Atom writer ----------------------------------------------------- */

static void escape_is(const char *in, const char *want)
{
    char *e = atom_escape(in);
    assert_string_equal(e, want);
    free(e);
}

static void escaping_markup(void **state)
{
    (void)state;
    escape_is("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    escape_is("a & b &amp; \"c\"", "a &amp; b &amp;amp; &quot;c&quot;");
    escape_is("]]> <![CDATA[ x ]]>", "]]&gt; &lt;![CDATA[ x ]]&gt;");
    escape_is("", "");
    escape_is("Divulgação — ção ✓ 😀", "Divulgação — ção ✓ 😀");
}

static void escaping_controls(void **state)
{
    (void)state;
    /* TAB and LF stay; CR as a reference; other C0, DEL and C1 dropped */
    escape_is("a\tb\nc\r\nd", "a\tb\nc&#13;\nd");
    escape_is("x\x01y\x08z\x1b\x7f!", "xyz!");
    escape_is("c1:\xc2\x85\xc2\x9f.", "c1:.");
    /* U+FFFE and U+FFFF are not XML characters; U+FFFD is */
    escape_is("\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd", "\xef\xbf\xbd");
    /* bytes that are not UTF-8: a lone continuation, a truncated sequence,
     * an overlong '<', a surrogate, past U+10FFFF */
    escape_is("a\x80"
              "b",
              "ab");
    escape_is("a\xc3", "a");
    escape_is("\xc0\xbcscript", "script");
    escape_is("s\xed\xa0\x80t", "st");
    escape_is("\xf4\x90\x80\x80!", "!");
}

/* Whether out is text XML 1.0 takes as character data: well-formed UTF-8
 * of XML characters (no C0 but TAB and LF, no DEL or C1), no markup
 * character, every '&' one of the writer's references. */
static bool xml_text(const char *out)
{
    static const char *const refs[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#13;"};
    for (const unsigned char *p = (const unsigned char *)out; *p != '\0';) {
        if (*p == '<' || *p == '>' || *p == '"' || *p == '\'' || *p == '\r' ||
            (*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F)
            return false;
        if (*p == '&') {
            bool known = false;
            for (size_t i = 0; i < sizeof refs / sizeof *refs; i++)
                known = known || strncmp((const char *)p, refs[i], strlen(refs[i])) == 0;
            if (!known)
                return false;
        }
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
        unsigned c = n == 1 ? *p : n == 2 ? *p & 0x1Fu : n == 3 ? *p & 0x0Fu : *p & 0x07u;
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i] & 0x3Fu);
        }
        if ((c >= 0x80 && c <= 0x9F) || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE ||
            c == 0xFFFF || c > 0x10FFFF)
            return false;
        p += n;
    }
    return true;
}

/* Any bytes at all come out as XML text: 20000 strings of pseudo-random
 * bytes (a fixed LCG, so a failure repeats), biased to markup, controls
 * and the lead bytes of multi-byte characters. */
static void escaping_any_bytes(void **state)
{
    (void)state;
    static const unsigned char pool[] = {'<',  '>',  '&',  '"',  '\'', ']',  '\r', '\n', '\t',
                                         0x01, 0x7F, 0x80, 0xBF, 0xC2, 0xC0, 0xE0, 0xED, 0xEF,
                                         0xF0, 0xF4, 0xF8, 0xFF, 'a',  ';',  '#'};
    uint32_t seed = 20261202u;
    char in[64];
    for (int round = 0; round < 20000; round++) {
        size_t len = (seed = seed * 1664525u + 1013904223u) % sizeof in;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1664525u + 1013904223u;
            unsigned char b =
                (seed >> 24) & 1 ? pool[(seed >> 8) % sizeof pool] : (unsigned char)(seed >> 16);
            in[i] = b == 0 ? 'z' : (char)b;
        }
        in[len] = '\0';
        char *out = atom_escape(in);
        assert_true(xml_text(out));
        free(out);
    }
}

static void times(void **state)
{
    (void)state;
    assert_true(atom_time_valid("2026-10-22T10:00:00Z"));
    assert_true(atom_time_valid("2026-10-22T10:00:00.123456Z"));
    assert_true(atom_time_valid("2026-10-22T10:00:00+01:00"));
    assert_false(atom_time_valid("2026-10-22 10:00:00Z"));
    assert_false(atom_time_valid("2026-10-22T10:00:00"));
    assert_false(atom_time_valid("2026-10-22T10:00:00.Z"));
    assert_false(atom_time_valid("ontem"));
    assert_false(atom_time_valid(NULL));
}

static const char WHOLE[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"pt\">\n"
    "<id>urn:uuid:feed</id>\n"
    "<title>Not&#39;cias &amp; mais</title>\n"
    "<updated>2026-10-22T10:00:00Z</updated>\n"
    "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://x.pt/f?a=1&amp;b=2\"/>\n"
    "<entry>\n"
    "<id>urn:uuid:1</id>\n"
    "<title>&lt;b&gt;Olá&lt;/b&gt;</title>\n"
    "<updated>2026-10-22T10:00:00Z</updated>\n"
    "<published>2026-10-21T09:00:00Z</published>\n"
    "<author>\n<name>Loja &quot;A&quot;</name>\n</author>\n"
    "<link rel=\"alternate\" href=\"https://loja.pt/n?x=&quot;1&quot;\"/>\n"
    "<category term=\"site\"/>\n"
    "<category term=\"social\"/>\n"
    "<summary type=\"text\">Resumo ]]&gt;</summary>\n"
    "<content type=\"text\">Linha 1\nLinha 2 &amp;</content>\n"
    "</entry>\n"
    "<entry>\n"
    "<id>urn:uuid:2</id>\n"
    "<title>Só o essencial</title>\n"
    "<updated>2026-10-20T08:00:00Z</updated>\n"
    "<author>\n<name>B</name>\n</author>\n"
    "</entry>\n"
    "</feed>\n";

static void whole_feed(void **state)
{
    (void)state;
    struct atom a;
    struct atom_feed f = {"urn:uuid:feed", "Not'cias & mais", "2026-10-22T10:00:00Z",
                          "https://x.pt/f?a=1&b=2", "pt"};
    assert_true(atom_begin(&a, &f));
    const char *const cats[] = {"site", "social"};
    struct atom_entry e = {.id = "urn:uuid:1",
                           .title = "<b>Olá</b>",
                           .updated = "2026-10-22T10:00:00Z",
                           .published = "2026-10-21T09:00:00Z",
                           .summary = "Resumo ]]>",
                           .content = "Linha 1\nLinha 2 &",
                           .author = "Loja \"A\"",
                           .link = "https://loja.pt/n?x=\"1\"",
                           .categories = cats,
                           .ncategories = 2};
    assert_true(atom_entry(&a, &e));
    struct atom_entry bare = {.id = "urn:uuid:2",
                              .title = "Só o essencial",
                              .updated = "2026-10-20T08:00:00Z",
                              .author = "B"};
    assert_true(atom_entry(&a, &bare));
    /* refused entries append nothing */
    struct atom_entry bad = bare;
    bad.updated = "2026-10-20";
    assert_false(atom_entry(&a, &bad));
    bad = bare;
    bad.author = NULL;
    assert_false(atom_entry(&a, &bad));
    bad = bare;
    bad.published = "amanhã";
    assert_false(atom_entry(&a, &bad));
    size_t len = 0;
    char *text = atom_end(&a, &len);
    assert_string_equal(text, WHOLE);
    assert_int_equal(len, strlen(WHOLE));
    assert_null(a.buf);
    free(text);
}

static void feed_refused(void **state)
{
    (void)state;
    struct atom a;
    struct atom_feed f = {"urn:uuid:feed", "T", "not a time", "https://x.pt/f", "pt"};
    assert_false(atom_begin(&a, &f));
    assert_null(a.buf);
    f.updated = "2026-10-22T10:00:00Z";
    f.id = NULL;
    assert_false(atom_begin(&a, &f));
    atom_cleanup(&a);
    f.id = "urn:uuid:feed";
    assert_true(atom_begin(&a, &f));
    atom_cleanup(&a); /* abandoned before atom_end */
    assert_null(a.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_moves),      cmocka_unit_test(machine_refuses),
        cmocka_unit_test(allowed_actions),    cmocka_unit_test(statuses),
        cmocka_unit_test(channels),           cmocka_unit_test(who_may_submit),
        cmocka_unit_test(escaping_markup),    cmocka_unit_test(escaping_controls),
        cmocka_unit_test(escaping_any_bytes), cmocka_unit_test(times),
        cmocka_unit_test(whole_feed),         cmocka_unit_test(feed_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
