/* iCalendar text: TEXT escaping, the UTC basic form of times, a whole
 * calendar byte for byte, and folding: every physical line at most 75
 * octets and valid UTF-8 (2-, 3- and 4-byte characters tried at every
 * position around the cut), CRLF only, and unfolding gives back the line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "ical.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void escaping(void **state)
{
    (void)state;
    char *e = ical_escape("a\\b;c,d\ne\r\nf\rg\th\x01i\x7fj");
    assert_string_equal(e, "a\\\\b\\;c\\,d\\ne\\nf\\ng\thij");
    free(e);
    e = ical_escape("");
    assert_string_equal(e, "");
    free(e);
    e = ical_escape("Lisboa: Av. da Liberdade, 1; \"sala\" ção\n\n");
    assert_string_equal(e, "Lisboa: Av. da Liberdade\\, 1\\; \"sala\" ção\\n\\n");
    free(e);
}

static void times(void **state)
{
    (void)state;
    char out[ICAL_UTC_LEN + 1];
    assert_true(ical_utc("2027-10-14T09:00:00Z", out));
    assert_string_equal(out, "20271014T090000Z");
    assert_true(ical_utc("2027-10-14T09:30:59.123456Z", out));
    assert_string_equal(out, "20271014T093059Z");
    assert_true(ical_utc("1999-12-31T23:59:59.9Z", out));
    assert_string_equal(out, "19991231T235959Z");
    const char *bad[] = {
        "2027-10-14T09:00:00",       "2027-10-14T09:00:00+00:00", "2027-10-14T09:00:00z",
        "2027-10-14 09:00:00Z",      "2027-10-14T09:00:00.Z",     "2027-10-14T09:00:00ZZ",
        "2027-10-14T09:00Z",         "27-10-14T09:00:00Z",        "2027-1a-14T09:00:00Z",
        "2027/10/14T09:00:00Z",      "2027-10-14T09:00:00.12aZ",  "",
        "2027-10-14T09:00:00.000Z ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(out, "x");
        assert_false(ical_utc(bad[i], out));
        assert_string_equal(out, "");
    }
    assert_false(ical_utc(NULL, out));
}

static const struct ical_event EVENT = {
    .uid = "4f707dbc-ae95-4f4c-bf97-5d4c6bae0045@parceria.dns.pt",
    .dtstamp = "2027-09-01T10:00:00.654321Z",
    .last_modified = "2027-09-01T10:00:00.654321Z",
    .starts_at = "2027-10-14T09:00:00Z",
    .ends_at = "2027-10-14T17:30:00Z",
    .summary = "Encontro de Registrars, 2027",
    .location = "Lisboa; sala 1",
    .description = NULL,
    .status = "CONFIRMED",
    .category = "registrar_meeting",
    .sequence = 3,
};

static void whole_calendar(void **state)
{
    (void)state;
    struct ical c;
    ical_begin(&c, ".PT — Parceria");
    assert_true(ical_event(&c, &EVENT));
    struct ical_event e = EVENT;
    e.description = "Linha 1\nLinha 2";
    e.status = "CANCELLED";
    e.sequence = 0;
    assert_true(ical_event(&c, &e));
    size_t len = 0;
    char *text = ical_end(&c, &len);
    assert_null(c.buf);
    const char *expected = "BEGIN:VCALENDAR\r\n"
                           "VERSION:2.0\r\n"
                           "PRODID:-//.PT//Parceria//PT\r\n"
                           "CALSCALE:GREGORIAN\r\n"
                           "METHOD:PUBLISH\r\n"
                           "X-WR-CALNAME:.PT — Parceria\r\n"
                           "BEGIN:VEVENT\r\n"
                           "UID:4f707dbc-ae95-4f4c-bf97-5d4c6bae0045@parceria.dns.pt\r\n"
                           "DTSTAMP:20270901T100000Z\r\n"
                           "LAST-MODIFIED:20270901T100000Z\r\n"
                           "DTSTART:20271014T090000Z\r\n"
                           "DTEND:20271014T173000Z\r\n"
                           "SEQUENCE:3\r\n"
                           "STATUS:CONFIRMED\r\n"
                           "SUMMARY:Encontro de Registrars\\, 2027\r\n"
                           "LOCATION:Lisboa\\; sala 1\r\n"
                           "CATEGORIES:registrar_meeting\r\n"
                           "END:VEVENT\r\n"
                           "BEGIN:VEVENT\r\n"
                           "UID:4f707dbc-ae95-4f4c-bf97-5d4c6bae0045@parceria.dns.pt\r\n"
                           "DTSTAMP:20270901T100000Z\r\n"
                           "LAST-MODIFIED:20270901T100000Z\r\n"
                           "DTSTART:20271014T090000Z\r\n"
                           "DTEND:20271014T173000Z\r\n"
                           "SEQUENCE:0\r\n"
                           "STATUS:CANCELLED\r\n"
                           "SUMMARY:Encontro de Registrars\\, 2027\r\n"
                           "LOCATION:Lisboa\\; sala 1\r\n"
                           "DESCRIPTION:Linha 1\\nLinha 2\r\n"
                           "CATEGORIES:registrar_meeting\r\n"
                           "END:VEVENT\r\n"
                           "END:VCALENDAR\r\n";
    assert_string_equal(text, expected);
    assert_int_equal(len, strlen(expected));
    free(text);
}

static void no_name_no_description(void **state)
{
    (void)state;
    struct ical c;
    ical_begin(&c, NULL);
    assert_true(ical_event(&c, &EVENT));
    char *text = ical_end(&c, NULL);
    assert_null(strstr(text, "X-WR-CALNAME"));
    assert_null(strstr(text, "DESCRIPTION"));
    assert_non_null(strstr(text, "\r\nLOCATION:"));
    free(text);
}

static void refused_events(void **state)
{
    (void)state;
    struct ical c;
    ical_begin(&c, NULL);
    size_t before = c.len;
    struct ical_event e = EVENT;
    e.starts_at = "2027-10-14T09:00:00+01:00";
    assert_false(ical_event(&c, &e));
    e = EVENT;
    e.status = "confirmed";
    assert_false(ical_event(&c, &e));
    e = EVENT;
    e.uid = NULL;
    assert_false(ical_event(&c, &e));
    e = EVENT;
    e.summary = NULL;
    assert_false(ical_event(&c, &e));
    e = EVENT;
    e.sequence = -1;
    assert_false(ical_event(&c, &e));
    e = EVENT;
    e.dtstamp = NULL;
    assert_false(ical_event(&c, &e));
    assert_int_equal(c.len, before);
    ical_cleanup(&c);
    assert_null(c.buf);
}

/* Every line break is CRLF, the text ends with one, and every physical line
 * is at most 75 octets of valid UTF-8. */
static void check_physical_lines(const char *text)
{
    size_t len = strlen(text);
    assert_true(len >= 2);
    assert_memory_equal(text + len - 2, "\r\n", 2);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            assert_true(i > 0 && text[i - 1] == '\r');
        if (text[i] == '\r')
            assert_true(text[i + 1] == '\n');
    }
    for (const char *p = text; *p != '\0';) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        size_t n = (size_t)(eol - p);
        assert_true(n <= 75);
        assert_true(util_valid_utf8(p, n));
        p = eol + 2;
    }
}

/* The text with every fold (CRLF and one space) taken out. */
static char *unfold(const char *text)
{
    char *out = xstrdup(text), *o = out;
    for (const char *p = text; *p != '\0'; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 2;
            continue;
        }
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

/* The calendar of one event whose summary is `summary`: checks its lines
 * and that the unfolded SUMMARY line is SUMMARY: and the escaped summary. */
static void check_summary(const char *summary)
{
    struct ical c;
    ical_begin(&c, NULL);
    struct ical_event e = EVENT;
    e.summary = summary;
    assert_true(ical_event(&c, &e));
    char *text = ical_end(&c, NULL);
    check_physical_lines(text);
    char *flat = unfold(text);
    char *escaped = ical_escape(summary);
    char *want = xasprintf("\r\nSUMMARY:%s\r\nLOCATION:", escaped);
    assert_non_null(strstr(flat, want));
    free(want);
    free(escaped);
    free(flat);
    free(text);
}

static void folding_ascii(void **state)
{
    (void)state;
    char summary[301];
    for (int i = 0; i < 300; i++)
        summary[i] = (char)('a' + i % 26);
    summary[300] = '\0';
    check_summary(summary);
    /* a line of exactly 75 octets is not folded; 76 is, once */
    struct ical c;
    for (size_t n = 66; n <= 68; n++) { /* "SUMMARY:" is 8 octets */
        summary[n] = '\0';
        ical_begin(&c, NULL);
        struct ical_event e = EVENT;
        e.summary = summary;
        assert_true(ical_event(&c, &e));
        char *text = ical_end(&c, NULL);
        char *line = strstr(text, "SUMMARY:");
        size_t first = (size_t)(strstr(line, "\r\n") - line);
        assert_int_equal(first, n + 8 <= 75 ? n + 8 : 75);
        assert_int_equal(line[first + 2] == ' ', n + 8 > 75);
        free(text);
        summary[n] = 'x';
    }
    /* the long ASCII line: full lines of 75, then continuations of 1 + 74 */
    summary[300] = '\0';
    ical_begin(&c, NULL);
    struct ical_event e = EVENT;
    e.summary = summary;
    assert_true(ical_event(&c, &e));
    char *text = ical_end(&c, NULL);
    char *line = strstr(text, "SUMMARY:");
    char *eol = strstr(line, "\r\n");
    assert_int_equal(eol - line, 75);
    line = eol + 2;
    assert_int_equal(line[0], ' ');
    assert_int_equal(strstr(line, "\r\n") - line, 75);
    free(text);
}

/* Characters of 2, 3 and 4 octets, after every number of ASCII octets that
 * moves them across the first and second cuts. */
static void folding_utf8(void **state)
{
    (void)state;
    const char *chars[] = {"é", "€", "😀"};
    for (size_t k = 0; k < 3; k++) {
        for (size_t pad = 60; pad <= 72; pad++) {
            char summary[400] = "";
            memset(summary, 'a', pad);
            summary[pad] = '\0';
            for (int r = 0; r < 60; r++)
                strcat(summary, chars[k]);
            check_summary(summary);
        }
    }
    /* only multi-byte characters, escapes between them */
    check_summary(
        "ção,ção;ção\\ção\nçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoçãoção"
        "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€");
}

static void crlf_only(void **state)
{
    (void)state;
    struct ical c;
    ical_begin(&c, "Um calendário,\nde duas linhas");
    struct ical_event e = EVENT;
    e.description = "Primeira linha\r\nSegunda\nTerceira\rQuarta";
    assert_true(ical_event(&c, &e));
    char *text = ical_end(&c, NULL);
    check_physical_lines(text);
    assert_non_null(strstr(text, "X-WR-CALNAME:Um calendário\\,\\nde duas linhas\r\n"));
    assert_non_null(strstr(text, "DESCRIPTION:Primeira linha\\nSegunda\\nTerceira\\nQuarta\r\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaping),       cmocka_unit_test(times),
        cmocka_unit_test(whole_calendar), cmocka_unit_test(no_name_no_description),
        cmocka_unit_test(refused_events), cmocka_unit_test(folding_ascii),
        cmocka_unit_test(folding_utf8),   cmocka_unit_test(crlf_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
