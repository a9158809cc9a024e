/* .pt domain names, pure: plain and second-level names, IDN both ways,
 * the hyphen rules, the length limits at their edges, what is not
 * registrable under .pt, and the reason each refusal gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "pt_domain.h"

#include <stdio.h>
#include <string.h>

static void accepts(const char *input, const char *ascii, const char *unicode)
{
    struct pt_domain d;
    enum error_code why = ERR_FORMAT;
    if (!pt_domain_parse(input, &d, &why))
        fail_msg("\"%s\" refused with %s", input, error_code_name(why));
    assert_int_equal(why, ERR_NONE);
    assert_string_equal(d.ascii, ascii);
    assert_string_equal(d.unicode, unicode);
}

static void refuses(const char *input, enum error_code want)
{
    struct pt_domain d;
    enum error_code why = ERR_NONE;
    if (pt_domain_parse(input, &d, &why))
        fail_msg("\"%s\" accepted as %s", input, d.ascii);
    if (why != want)
        fail_msg("\"%s\": %s, not %s", input, error_code_name(why), error_code_name(want));
    assert_string_equal(d.ascii, "");
    assert_string_equal(d.unicode, "");
}

static void plain_names(void **state)
{
    (void)state;
    accepts("exemplo.pt", "exemplo.pt", "exemplo.pt");
    accepts("EXEMPLO.PT", "exemplo.pt", "exemplo.pt");
    accepts("Exemplo.Pt.", "exemplo.pt", "exemplo.pt"); /* the root's dot */
    accepts("a.pt", "a.pt", "a.pt");
    accepts("123.pt", "123.pt", "123.pt");
    accepts("a-b-c.pt", "a-b-c.pt", "a-b-c.pt");
    accepts("a--b.pt", "a--b.pt", "a--b.pt"); /* "--" in positions 2-3 */
    accepts("pt.pt", "pt.pt", "pt.pt");
    accepts("comercio.pt", "comercio.pt", "comercio.pt");
    assert_string_equal(error_code_name(ERR_DOMAIN_NAME), "domain_name");
    assert_string_equal(error_code_name(ERR_PT_DOMAIN), "pt_domain");
    assert_non_null(strstr(error_code_message(ERR_PT_DOMAIN, true), "registável"));
    /* why may be NULL */
    struct pt_domain d;
    assert_true(pt_domain_parse("exemplo.pt", &d, NULL));
    assert_false(pt_domain_parse("exemplo.com", &d, NULL));
}

static void second_level_names(void **state)
{
    (void)state;
    static const char *const zones[] = {"com", "edu", "gov", "int", "net", "nome", "org", "publ"};
    for (size_t i = 0; i < sizeof zones / sizeof *zones; i++) {
        char name[64], upper[64];
        snprintf(name, sizeof name, "loja.%s.pt", zones[i]);
        accepts(name, name, name);
        snprintf(upper, sizeof upper, "LOJA.%s.PT.", zones[i]);
        for (char *p = upper; *p; p++)
            *p = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
        accepts(upper, name, name);
        snprintf(name, sizeof name, "%s.pt", zones[i]); /* the zone itself */
        refuses(name, ERR_PT_DOMAIN);
        snprintf(name, sizeof name, "www.loja.%s.pt", zones[i]);
        refuses(name, ERR_PT_DOMAIN);
    }
    accepts("com.com.pt", "com.com.pt", "com.com.pt");
    refuses("loja.co.pt", ERR_PT_DOMAIN); /* not a zone */
    refuses("loja.ac.pt", ERR_PT_DOMAIN);
    refuses("www.exemplo.pt", ERR_PT_DOMAIN); /* a sub-domain */
}

static void idn(void **state)
{
    (void)state;
    accepts("café.pt", "xn--caf-dma.pt", "café.pt");
    accepts("xn--caf-dma.pt", "xn--caf-dma.pt", "café.pt");
    accepts("XN--CAF-DMA.PT", "xn--caf-dma.pt", "café.pt");
    accepts("CAFÉ.PT", "xn--caf-dma.pt", "café.pt");
    accepts("Café.Pt.", "xn--caf-dma.pt", "café.pt");
    accepts("pão.com.pt", "xn--po-sia.com.pt", "pão.com.pt");
    accepts("PÃO.COM.PT", "xn--po-sia.com.pt", "pão.com.pt");
    accepts("xn--po-sia.com.pt", "xn--po-sia.com.pt", "pão.com.pt");
    accepts("ação.org.pt", "xn--ao-siap.org.pt", "ação.org.pt");
    accepts("straße.pt", "xn--strae-oqa.pt", "straße.pt"); /* non-transitional: ß kept */
    accepts("ΑΒΓ.pt", "xn--mxacd.pt", "αβγ.pt");
    accepts("cafe\xcc\x81.pt", "xn--caf-dma.pt", "café.pt");    /* decomposed é, NFC */
    accepts("café\xe3\x80\x82pt", "xn--caf-dma.pt", "café.pt"); /* ideographic full stop */
    accepts("\xef\xbd\x85\xef\xbd\x98.pt", "ex.pt", "ex.pt");   /* full-width "ex" */
    /* Invisible characters are refused, not dropped by the mapping. */
    static const struct {
        const char *input;
        enum error_code why;
    } bad[] = {
        {"ca\u00adfé.pt", ERR_ZERO_WIDTH},          /* soft hyphen */
        {"caf\u200be.pt", ERR_ZERO_WIDTH},          /* zero-width space */
        {"caf\u200dé.pt", ERR_ZERO_WIDTH},          /* zero-width joiner */
        {"caf\ufe0fe.pt", ERR_ZERO_WIDTH},          /* variation selector 16 */
        {"caf\u034fe.pt", ERR_ZERO_WIDTH},          /* combining grapheme joiner */
        {"caf\u202ee.pt", ERR_BIDI_CONTROL},        /* right-to-left override */
        {"cafe\xc2\x85.pt", ERR_CONTROL_CHARACTER}, /* NEL */
        {"caf\xc3.pt", ERR_ENCODING},
        {"caf\xc3\xa9\xff.pt", ERR_ENCODING},
        {"caf\u00a0e.pt", ERR_DOMAIN_NAME}, /* no-break space */
        {"caf\u3000e.pt", ERR_DOMAIN_NAME}, /* ideographic space */
        {"\u2603.pt", ERR_DOMAIN_NAME},     /* a snowman: IDNA2008 disallows symbols */
        {"\u0301a.pt", ERR_DOMAIN_NAME},    /* a leading combining mark */
        {"a\u0301", ERR_PT_DOMAIN},         /* á (decomposed), no TLD */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refuses(bad[i].input, bad[i].why);
}

/* A-labels that decode to something, but not to a U-label that encodes
 * back to the same A-label. */
static void bogus_a_labels(void **state)
{
    (void)state;
    refuses("xn--zz.pt", ERR_DOMAIN_NAME);
    refuses("xn--a.pt", ERR_DOMAIN_NAME);
    refuses("xn--.pt", ERR_DOMAIN_NAME);
    refuses("xn---.pt", ERR_DOMAIN_NAME);
    refuses("xn--ab-.pt", ERR_DOMAIN_NAME);      /* decodes to ASCII "ab" */
    refuses("xn--caf-pia.pt", ERR_DOMAIN_NAME);  /* "cafÉ": not lower case */
    refuses("xn--cafe-yvc.pt", ERR_DOMAIN_NAME); /* "café" decomposed: not NFC */
    refuses("xn--ls8h.pt", ERR_DOMAIN_NAME);     /* an emoji */
    refuses("xn--caf-dma.xn--zz.pt", ERR_PT_DOMAIN);
    refuses("loja.xn--zz.pt", ERR_PT_DOMAIN);
    refuses("xn--zz.com.pt", ERR_DOMAIN_NAME);
}

static void hyphens_and_characters(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "-a.pt",     "a-.pt",  "-.pt",   "ab--c.pt",  "ab--.pt",      "xy--abc.pt",
        "a.-com.pt", "a_b.pt", "_a.pt",  "a b.pt",    " a.pt",        "a.pt ",
        "\ta.pt",    "a.pt\n", "a@b.pt", "a/b.pt",    "a:80.pt",      "[::1].pt",
        "a*.pt",     "*.pt",   "a'.pt",  "a..pt",     ".a.pt",        "a.pt..",
        ".",         "",       "..",     "a.com..pt", "loja.com..pt",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refuses(bad[i], strcmp(bad[i], "\ta.pt") == 0 || strcmp(bad[i], "a.pt\n") == 0
                            ? ERR_CONTROL_CHARACTER
                            : ERR_DOMAIN_NAME);
    refuses("   ", ERR_DOMAIN_NAME);
    struct pt_domain d;
    enum error_code why = ERR_NONE;
    assert_false(pt_domain_parse(NULL, &d, &why));
    assert_int_equal(why, ERR_DOMAIN_NAME);
}

static void not_registrable(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "pt",          "pt.",     "PT",      "exemplo.com", "exemplo.pt.com",   "exemplo.p",
        "exemplo.ptt", "exemplo", "1.2.3.4", "127.0.0.1",   "10.0.0.1.",        "a.b.c.pt",
        "com.pt",      "COM.PT.", "nome.pt", "exemplo.eu",  "exemplo.xn--p1ai",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refuses(bad[i], ERR_PT_DOMAIN);
}

static void fill_name(char *out, const size_t *labels, size_t n)
{
    char *p = out;
    for (size_t i = 0; i < n; i++) {
        memset(p, 'a' + (int)i, labels[i]);
        p += labels[i];
        *p++ = '.';
    }
    strcpy(p, "pt");
}

static void length_limits(void **state)
{
    (void)state;
    char name[2048], want[2048];
    /* 63 octets in a label, then 64. */
    fill_name(name, (size_t[]){63}, 1);
    accepts(name, name, name);
    fill_name(name, (size_t[]){63, 3}, 2);
    memcpy(name + 64, "com", 3);
    accepts(name, name, name);
    fill_name(name, (size_t[]){64}, 1);
    refuses(name, ERR_TOO_LONG);
    fill_name(name, (size_t[]){3, 64}, 2);
    refuses(name, ERR_TOO_LONG);
    /* 253 octets in the name (valid, but too many labels to register),
     * then 254; a final dot does not count. */
    fill_name(name, (size_t[]){63, 63, 63, 58}, 4);
    assert_int_equal(strlen(name), 253);
    refuses(name, ERR_PT_DOMAIN);
    strcat(name, ".");
    refuses(name, ERR_PT_DOMAIN);
    fill_name(name, (size_t[]){63, 63, 63, 59}, 4);
    assert_int_equal(strlen(name), 254);
    refuses(name, ERR_TOO_LONG);
    /* An IDN label whose A-label is 63 octets ("xn--" and the 59 of 55 'a'
     * and an 'é'), then 64. */
    memset(name, 'a', 55);
    strcpy(name + 55, "é.pt");
    strcpy(want, "xn--");
    memset(want + 4, 'a', 55);
    strcpy(want + 59, "-u3e.pt");
    accepts(name, want, name);
    memset(name, 'a', 56);
    strcpy(name + 56, "é.pt");
    refuses(name, ERR_TOO_LONG);
    /* Long Unicode labels and names, and input over the limit unread. */
    strcpy(name, "");
    for (int i = 0; i < 80; i++)
        strcat(name, "é");
    strcat(name, ".pt");
    refuses(name, ERR_TOO_LONG);
    strcpy(name, "");
    for (int i = 0; i < 30; i++)
        strcat(name, "éééééééééé.");
    strcat(name, "pt");
    refuses(name, ERR_TOO_LONG);
    memset(name, 'a', PT_DOMAIN_INPUT_MAX + 1);
    strcpy(name + PT_DOMAIN_INPUT_MAX + 1 - 3, ".pt");
    refuses(name, ERR_TOO_LONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_names),
        cmocka_unit_test(second_level_names),
        cmocka_unit_test(idn),
        cmocka_unit_test(bogus_a_labels),
        cmocka_unit_test(hyphens_and_characters),
        cmocka_unit_test(not_registrable),
        cmocka_unit_test(length_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
