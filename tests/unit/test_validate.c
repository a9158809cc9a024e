/* The value rules: NIF, VAT, countries, postal codes, email, phones,
 * websites, handles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "validate.h"

#include <jansson.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

/* The check digit computed here, independently of validate.c. */
static char nif_check_digit(const char *first8)
{
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (first8[i] - '0') * (9 - i);
    int r = 11 - sum % 11;
    return (char)('0' + (r >= 10 ? 0 : r));
}

static void nif_valid_numbers(void **state)
{
    (void)state;
    /* Worked examples: 5*9 = 45, 45 mod 11 = 1, 11 - 1 = 10 → 0. */
    assert_true(validate_nif("500000000"));
    assert_true(validate_nif("540000000")); /* sum 77: 11 - 0 = 11 → 0 */
    assert_true(validate_nif("501234560"));
    assert_true(validate_nif("512345678"));
    assert_true(validate_nif("504030205"));
    assert_true(validate_nif("123456789"));
    assert_true(validate_nif("234567899"));
    assert_true(validate_nif("987654322"));
}

static void nif_every_accepted_prefix(void **state)
{
    (void)state;
    static const char *const ok[] = {"1",  "2",  "3",  "45", "5",  "6",  "70", "71", "72",
                                     "74", "75", "77", "78", "79", "90", "91", "98", "99"};
    static const char *const refused[] = {"0",  "40", "41", "44", "46", "49", "73",
                                          "76", "8",  "80", "89", "92", "95", "97"};
    char nif[10];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(nif, sizeof nif, "%s%0*d", ok[i], (int)(8 - strlen(ok[i])), 1234);
        nif[8] = nif_check_digit(nif);
        nif[9] = '\0';
        if (!validate_nif(nif))
            fail_msg("refused %s", nif);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(nif, sizeof nif, "%s%0*d", refused[i], (int)(8 - strlen(refused[i])), 1234);
        nif[8] = nif_check_digit(nif);
        nif[9] = '\0';
        assert_false(validate_nif(nif));
    }
}

static void nif_invalid_numbers(void **state)
{
    (void)state;
    assert_false(validate_nif("500000001")); /* check digit */
    assert_false(validate_nif("123456780"));
    assert_false(validate_nif("512345679"));
    assert_false(validate_nif("50000000"));   /* eight digits */
    assert_false(validate_nif("5000000000")); /* ten */
    assert_false(validate_nif("50000000A"));
    assert_false(validate_nif("PT500000000"));
    assert_false(validate_nif("500 000 000"));
    assert_false(validate_nif(" 500000000"));
    assert_false(validate_nif("800000005")); /* valid digit, withdrawn prefix */
    assert_false(validate_nif("000000000"));
    assert_false(validate_nif(""));
    assert_false(validate_nif(NULL));
}

static void vat_formats_per_country(void **state)
{
    (void)state;
    assert_true(validate_vat("AT", "ATU12345678"));
    assert_true(validate_vat("AT", "U12345678"));
    assert_false(validate_vat("AT", "AT12345678"));
    assert_true(validate_vat("BE", "BE0123456789"));
    assert_true(validate_vat("BE", "1123456789"));
    assert_false(validate_vat("BE", "BE2123456789"));
    assert_false(validate_vat("BE", "BE123456789"));
    assert_true(validate_vat("DE", "DE123456789"));
    assert_false(validate_vat("DE", "DE12345678"));
    assert_true(validate_vat("ES", "ESA12345678"));
    assert_true(validate_vat("ES", "ES12345678Z"));
    assert_true(validate_vat("ES", "X1234567L"));
    assert_false(validate_vat("ES", "ES123456789")); /* first and last both digits */
    assert_true(validate_vat("FR", "FR40303265045"));
    assert_true(validate_vat("FR", "FRXX303265045"));
    assert_false(validate_vat("FR", "FR4030326504"));
    assert_true(validate_vat("IT", "IT12345678901"));
    assert_true(validate_vat("NL", "NL123456789B01"));
    assert_false(validate_vat("NL", "NL123456789B1"));
    assert_false(validate_vat("NL", "NL123456789C01"));
    assert_true(validate_vat("IE", "IE1234567T"));
    assert_true(validate_vat("IE", "IE1234567TW"));
    assert_true(validate_vat("IE", "IE1A23456T"));
    assert_false(validate_vat("IE", "IE1234567"));
    assert_true(validate_vat("CY", "CY12345678L"));
    assert_true(validate_vat("SE", "SE123456789001"));
    assert_true(validate_vat("RO", "RO12"));
    assert_true(validate_vat("RO", "RO1234567890"));
    assert_false(validate_vat("RO", "RO1"));
    assert_false(validate_vat("RO", "12345678901"));
    assert_true(validate_vat("PL", "PL1234567890"));
}

static void vat_greece_gb_and_portugal(void **state)
{
    (void)state;
    /* Greece is GR in ISO 3166 and EL in VIES: the country is GR, either prefix. */
    assert_true(validate_vat("GR", "EL094014201"));
    assert_true(validate_vat("GR", "GR094014201"));
    assert_true(validate_vat("GR", "094014201"));
    assert_false(validate_vat("EL", "EL094014201"));
    /* Northern Ireland's XI numbers belong to country GB. */
    assert_true(validate_vat("GB", "GB123456789"));
    assert_true(validate_vat("GB", "XI123456789"));
    assert_true(validate_vat("GB", "GB123456789012"));
    assert_true(validate_vat("GB", "GD123"));
    assert_true(validate_vat("GB", "XIHA123"));
    assert_false(validate_vat("GB", "GB12345678"));
    assert_false(validate_vat("XI", "XI123456789"));
    assert_false(validate_vat("UK", "GB123456789"));
    /* Portugal: the NIF rules. */
    assert_true(validate_vat("PT", "PT500000000"));
    assert_true(validate_vat("PT", "500000000"));
    assert_false(validate_vat("PT", "PT500000001"));
    assert_false(validate_vat("PT", "PT800000005"));
}

static void vat_other_countries_and_bad_input(void **state)
{
    (void)state;
    assert_true(validate_vat("US", "123456789"));
    assert_true(validate_vat("CH", "CHE123456789"));
    assert_true(validate_vat("BR", "12"));
    assert_false(validate_vat("BR", "1"));
    assert_false(validate_vat("US", "12-3456789"));
    assert_false(validate_vat("US", "123456789012345678901"));
    assert_false(validate_vat("DE", "DE 123456789"));
    assert_false(validate_vat("DE", "DE123.456.789"));
    assert_false(validate_vat("XX", "123456789"));
    assert_false(validate_vat("de", "DE123456789"));
    assert_false(validate_vat(NULL, "DE123456789"));
    assert_false(validate_vat("DE", NULL));
    assert_false(validate_vat("DE", ""));
}

static void assert_vat_normal(const char *country, const char *vat, const char *want)
{
    char *got = validate_vat_normalize(country, vat);
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void vat_normal_form(void **state)
{
    (void)state;
    assert_vat_normal("DE", "de123456789", "123456789");
    assert_vat_normal("DE", "123456789", "123456789");
    assert_vat_normal("GR", "el094014201", "094014201");
    assert_vat_normal("GB", "XI123456789", "123456789");
    assert_vat_normal("AT", "atu12345678", "U12345678");
    assert_vat_normal("NL", "nl123456789b01", "123456789B01");
    assert_vat_normal("PT", "PT500000000", "500000000");
    /* A French number may itself start with two letters: kept when what
     * follows "FR" is not a number on its own. */
    assert_vat_normal("FR", "FR123456789", "FR123456789");
    assert_vat_normal("FR", "FRFR123456789", "FR123456789");
    /* Outside the VIES list nothing is taken as a prefix. */
    assert_vat_normal("CH", "che123456789", "CHE123456789");
    assert_vat_normal("DE", "DE12345678", NULL);
}

static void countries(void **state)
{
    (void)state;
    static const char *const ok[] = {"PT", "ES", "GR", "GB", "US", "AX", "SS", "BQ",
                                     "CW", "SX", "MF", "BL", "TL", "PS", "AQ", "ZW"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(validate_country(ok[i]));
    /* EL (VIES's Greece), UK and EU are reserved, XK and XI user-assigned,
     * AN, CS and YU withdrawn: not assigned countries. */
    static const char *const refused[] = {"EL", "UK", "EU", "XK",  "XI", "AN", "CS", "YU",
                                          "pt", "Pt", "P",  "PRT", "",   "P1", "ZZ", "AA"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_false(validate_country(refused[i]));
    assert_false(validate_country(NULL));
    size_t n = 0;
    char code[3] = {0};
    for (code[0] = 'A'; code[0] <= 'Z'; code[0]++)
        for (code[1] = 'A'; code[1] <= 'Z'; code[1]++)
            n += validate_country(code);
    assert_int_equal(n, 249);
}

/* The same list as Debian's iso-codes, when installed (not needed to run). */
static void countries_match_iso_codes(void **state)
{
    (void)state;
    json_t *doc = json_load_file("/usr/share/iso-codes/json/iso_3166-1.json", 0, NULL);
    if (doc == NULL)
        skip();
    json_t *list = json_object_get(doc, "3166-1");
    size_t i;
    json_t *entry;
    json_array_foreach(list, i, entry)
    {
        const char *code = json_string_value(json_object_get(entry, "alpha_2"));
        assert_non_null(code);
        if (!validate_country(code))
            fail_msg("iso-codes has %s", code);
    }
    assert_int_equal(json_array_size(list), 249);
    json_decref(doc);
}

static void postal_codes(void **state)
{
    (void)state;
    assert_true(validate_postal_code("PT", "1000-001"));
    assert_true(validate_postal_code("PT", "4000-123"));
    assert_true(validate_postal_code("PT", "9999-999"));
    assert_false(validate_postal_code("PT", "0999-123"));
    assert_false(validate_postal_code("PT", "1000001"));
    assert_false(validate_postal_code("PT", "1000-01"));
    assert_false(validate_postal_code("PT", "1000-0011"));
    assert_false(validate_postal_code("PT", "1000 001"));
    assert_false(validate_postal_code("PT", "SW1A 1AA"));
    assert_true(validate_postal_code("ES", "28001"));
    assert_true(validate_postal_code("GB", "SW1A 1AA"));
    assert_true(validate_postal_code("NL", "1234 AB"));
    assert_true(validate_postal_code("US", "12345-6789"));
    assert_true(validate_postal_code("IE", "D02"));
    assert_true(validate_postal_code(NULL, "1000-001"));
    assert_false(validate_postal_code("ES", "1"));
    assert_false(validate_postal_code("ES", "-2800"));
    assert_false(validate_postal_code("ES", "2800-"));
    assert_false(validate_postal_code("ES", " 2800"));
    assert_false(validate_postal_code("ES", "AB_12"));
    assert_false(validate_postal_code("ES", "1234567890123"));
    assert_true(validate_postal_code("ES", "123456789012"));
    assert_false(validate_postal_code("ES", NULL));
}

static void emails_accepted(void **state)
{
    (void)state;
    assert_true(validate_email("ana@example.pt"));
    assert_true(validate_email("ana.silva+dns@mail.example.pt"));
    assert_true(validate_email("o'brien@example.ie"));
    assert_true(validate_email("x!#$%&*/=?^_`{|}~-@example.com"));
    assert_true(validate_email("a@b.co"));
    assert_true(validate_email("USER@EXAMPLE.PT"));
    assert_true(validate_email("geral@águas.pt"));        /* IDN */
    assert_true(validate_email("geral@xn--guas-4na.pt")); /* its A-label */
    assert_true(validate_email("info@example.xn--p1ai")); /* IDN top-level domain */
    assert_true(validate_email("a@sub-domain.example.com"));
}

static void emails_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "ana",
        "ana@",
        "@example.pt",
        "ana@@example.pt",
        "a@b@example.pt",
        ".ana@example.pt",
        "ana.@example.pt",
        "an..a@example.pt",
        "ana silva@example.pt",
        "\"ana\"@example.pt",
        "joão@example.pt",
        "ana@example",
        "ana@example.p",
        "ana@example.123",
        "ana@192.168.0.1",
        "ana@[192.168.0.1]",
        "ana@-example.pt",
        "ana@example-.pt",
        "ana@exa_mple.pt",
        "ana@exa mple.pt",
        "ana@example..pt",
        "ana@example.pt.",
        "ana@xn--zzzz.pt",
        "ana@ex\xff.pt",
        "ana@example.pt\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (validate_email(bad[i]))
            fail_msg("accepted %s", bad[i]);
    assert_false(validate_email(NULL));
}

static void email_lengths(void **state)
{
    (void)state;
    char buf[400];
    /* Local part: 64 accepted, 65 refused. */
    memset(buf, 'a', 64);
    strcpy(buf + 64, "@example.pt");
    assert_true(validate_email(buf));
    memset(buf, 'a', 65);
    strcpy(buf + 65, "@example.pt");
    assert_false(validate_email(buf));
    /* A label: 63 accepted, 64 refused. */
    strcpy(buf, "a@");
    memset(buf + 2, 'b', 63);
    strcpy(buf + 65, ".pt");
    assert_true(validate_email(buf));
    memset(buf + 2, 'b', 64);
    strcpy(buf + 66, ".pt");
    assert_false(validate_email(buf));
    /* The whole: 254 accepted, 255 refused (three labels of 60, one of 57). */
    strcpy(buf, "abcdefghij@");
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(buf);
        memset(buf + len, 'c', 60);
        strcpy(buf + len + 60, ".");
    }
    size_t len = strlen(buf);
    memset(buf + len, 'd', 57);
    strcpy(buf + len + 57, ".pt");
    assert_int_equal(strlen(buf), 254);
    assert_true(validate_email(buf));
    memmove(buf + 1, buf, strlen(buf) + 1); /* one more character in the local part */
    assert_int_equal(strlen(buf), 255);
    assert_false(validate_email(buf));
}

static void phones(void **state)
{
    (void)state;
    assert_true(validate_phone("+351912345678"));
    assert_true(validate_phone("+351213456789"));
    assert_true(validate_phone("+12025550123"));
    assert_true(validate_phone("+12345678"));        /* 8 digits */
    assert_true(validate_phone("+123456789012345")); /* 15 */
    assert_false(validate_phone("+1234567"));
    assert_false(validate_phone("+1234567890123456"));
    assert_false(validate_phone("+0351912345678"));
    assert_false(validate_phone("351912345678"));
    assert_false(validate_phone("00351912345678"));
    assert_false(validate_phone("+351 912 345 678"));
    assert_false(validate_phone("+351-912345678"));
    assert_false(validate_phone("+35191234567a"));
    assert_false(validate_phone("+"));
    assert_false(validate_phone(""));
    assert_false(validate_phone(NULL));
}

static void websites_accepted(void **state)
{
    (void)state;
    assert_true(validate_website("https://example.pt"));
    assert_true(validate_website("https://www.example.pt/"));
    assert_true(validate_website("https://example.pt:8443/path/to?q=1&r=a%20b#top"));
    assert_true(validate_website("https://EXAMPLE.PT/Index.html"));
    assert_true(validate_website("https://águas.pt/"));
    assert_true(validate_website("https://xn--guas-4na.pt"));
    assert_true(validate_website("https://loja.águas.pt:443/produtos?cor=azul"));
    assert_true(validate_website("https://example.pt?x=1"));
    assert_true(validate_website("https://example.pt:65535"));
}

static void websites_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "http://example.pt",
        "HTTPS://example.pt",
        "ftp://example.pt",
        "example.pt",
        "//example.pt",
        "https://",
        "https:///path",
        "https://user@example.pt",
        "https://user:secret@example.pt/",
        "https://example.pt@evil.example/",
        "https://example.pt:0",
        "https://example.pt:65536",
        "https://example.pt:",
        "https://example.pt:80a",
        "https://localhost",
        "https://localhost:8080/",
        "https://192.168.0.1/",
        "https://[::1]/",
        "https://exa mple.pt",
        "https://exa_mple.pt",
        "https://-example.pt",
        "https://example.pt./",
        "https://xn--zzzz.pt",
        "https://example.pt/a b",
        "https://example.pt/a\tb",
        "https://example.pt/%zz",
        "https://example.pt/%2",
        "https://example.pt/<script>",
        "https://example.pt/\"x\"",
        "https://example.pt/á",
        "https://ex\xff.pt/",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (validate_website(bad[i]))
            fail_msg("accepted %s", bad[i]);
    assert_false(validate_website(NULL));
}

static void website_length(void **state)
{
    (void)state;
    char *url = malloc(2050);
    strcpy(url, "https://example.pt/");
    size_t len = strlen(url);
    memset(url + len, 'a', 2048 - len);
    url[2048] = '\0';
    assert_true(validate_website(url));
    url[2048] = 'a';
    url[2049] = '\0';
    assert_false(validate_website(url));
    free(url);
}

static void handles(void **state)
{
    (void)state;
    assert_true(validate_handle("abc"));
    assert_true(validate_handle("a-b"));
    assert_true(validate_handle("3em1-registrar"));
    assert_true(validate_handle("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 40 */
    assert_false(validate_handle("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assert_false(validate_handle("ab"));
    assert_false(validate_handle("-ab"));
    assert_false(validate_handle("ab-"));
    assert_false(validate_handle("a--b"));
    assert_false(validate_handle("Abc"));
    assert_false(validate_handle("ab_c"));
    assert_false(validate_handle("ab c"));
    assert_false(validate_handle("águas"));
    assert_false(validate_handle(""));
    assert_false(validate_handle(NULL));
}

static void assert_slug(const char *trade_name, const char *want)
{
    char *got = validate_handle_from(trade_name);
    assert_string_equal(got, want);
    assert_true(validate_handle(got));
    free(got);
}

static void handle_from_trade_name(void **state)
{
    (void)state;
    assert_slug("Águas & Companhia, Lda.", "aguas-companhia-lda");
    assert_slug("Ação Digital, S.A.", "acao-digital-s-a");
    assert_slug("  --Olá!!  Mundo--  ", "ola-mundo");
    assert_slug("ÀÁÂÃÄÅ ÇÈÉÊË ÌÍÎÏ ÑÒÓÔÕÖØ ÙÚÛÜÝ", "aaaaaa-ceeee-iiii-noooooo-uuuuy");
    assert_slug("àáâãäå çèéêë ìíîï ñòóôõöø ùúûüýÿ", "aaaaaa-ceeee-iiii-noooooo-uuuuyy");
    assert_slug("Joe's Domains", "joes-domains");
    assert_slug("Joe’s Domains", "joes-domains");
    assert_slug("Straße GmbH", "strasse-gmbh");
    assert_slug("Æon Œuvre Þing", "aeon-oeuvre-thing");
    assert_slug("Łódź Net Ĳssel", "lodz-net-ijssel");
    assert_slug("3em1", "3em1");
    assert_slug("PTisp", "ptisp");
    assert_slug("Preço×Qualidade", "preco-qualidade");
}

static void handle_from_short_or_empty(void **state)
{
    (void)state;
    assert_slug("X", "x-registrar");
    assert_slug("AB", "ab-registrar");
    assert_slug("A.B.", "a-b");
    assert_slug("", "registrar");
    assert_slug("!!!", "registrar");
    assert_slug("日本ドメイン", "registrar");
    assert_slug("日本 ab", "ab-registrar");
    char *got = validate_handle_from(NULL);
    assert_string_equal(got, "registrar");
    free(got);
}

static void handle_from_long_or_malformed(void **state)
{
    (void)state;
    assert_slug("Sociedade Portuguesa de Serviços Internet e Comunicações, Lda.",
                "sociedade-portuguesa-de-servicos");
    assert_slug("Associação dos Registrars Independentes de Portugal",
                "associacao-dos-registrars-independentes");
    /* A word ending exactly at 40 is kept whole. */
    assert_slug("abcdefghij abcdefghij abcdefghij abcdefg more",
                "abcdefghij-abcdefghij-abcdefghij-abcdefg");
    /* One word longer than 40: a hard cut. */
    assert_slug("Supercalifragilisticexpialidociousdomainsandhosting",
                "supercalifragilisticexpialidociousdomain");
    assert_slug("ab supercalifragilisticexpialidociousdomainsandhosting",
                "ab-supercalifragilisticexpialidociousdom");
    /* Bad UTF-8 is a separator, never a letter. */
    assert_slug("Caf\xc3", "caf");
    assert_slug("\xff\xfe"
                "abc",
                "abc");
    assert_slug("\xc1\x81"
                "bcd",
                "bcd"); /* overlong 'A' */
    assert_slug("ab\xe2\x82"
                "cd",
                "ab-cd"); /* truncated sequence */
}

static void handle_suffix(void **state)
{
    (void)state;
    char *h = validate_handle_suffixed("aguas-companhia-lda", 2);
    assert_string_equal(h, "aguas-companhia-lda-2");
    free(h);
    h = validate_handle_suffixed("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 17);
    assert_string_equal(h, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-17");
    assert_true(validate_handle(h));
    free(h);
    /* The cut would leave a hyphen before the suffix: it goes. */
    h = validate_handle_suffixed("abcdefghij-abcdefghij-abcdefghij-ab-defg", 123);
    assert_string_equal(h, "abcdefghij-abcdefghij-abcdefghij-ab-123");
    assert_true(validate_handle(h));
    free(h);
    h = validate_handle_suffixed("abc", 4294967295u);
    assert_string_equal(h, "abc-4294967295");
    free(h);
}

static void field_rules(void **state)
{
    (void)state;
    struct {
        bool (*valid)(const char *);
        const char *good, *bad;
    } cases[] = {
        {validate_nif, "500000000", "500000001"},
        {validate_vat_shape, "DE123456789", "DE 123456789"},
        {validate_country, "PT", "pt"},
        {validate_postal_code_any, "1000-001", "1"},
        {validate_email, "ana@example.pt", "ana@"},
        {validate_phone, "+351912345678", "912345678"},
        {validate_website, "https://example.pt", "http://example.pt"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(cases[i].valid(cases[i].good));
        assert_false(cases[i].valid(cases[i].bad));
    }
}

static void vat_hook_takes_any_countrys_shape(void **state)
{
    (void)state;
    static const char *const ok[] = {"IE1A23456T", "IE1+23456T", "CHE123456789", "12",
                                     "de123456789"};
    static const char *const bad[] = {"1", "DE-123", "EL 094014201", "12345678901234567890123"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(validate_vat_shape(ok[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(validate_vat_shape(bad[i]));
}

/* What validate_text answers for in: the code, or NULL with the normal form. */
static void text_is(const char *in, const char *code, const char *normal)
{
    char *out = (char *)"unset";
    const char *got = error_code_name(validate_text(in, &out));
    if (code == NULL) {
        if (got != NULL)
            fail_msg("\"%s\" refused as %s", in, got);
        assert_non_null(out);
        assert_string_equal(out, normal);
        free(out);
    } else {
        if (got == NULL || strcmp(got, code) != 0)
            fail_msg("\"%s\": expected %s, got %s", in, code, got ? got : "NULL");
        assert_null(out);
    }
}

static void text_accepted_trimmed_and_nfc(void **state)
{
    (void)state;
    text_is("Águas & Companhia, Lda.", NULL, "Águas & Companhia, Lda.");
    text_is("  Rua do Ouro 1  ", NULL, "Rua do Ouro 1");
    text_is("\u00a0\u2003Lisboa\u3000", NULL, "Lisboa");        /* Unicode spaces */
    text_is("Jose\u0301", NULL, "Jos\u00e9");                   /* NFC composes */
    text_is("A\u030angstr\u00f6m", NULL, "\u00c5ngstr\u00f6m"); /* A + ring → Å */
    text_is("\u212b", NULL, "\u00c5");                          /* the Angstrom sign → Å */
    text_is("\ufb01rma", NULL, "\ufb01rma");                    /* NFC, not NFKC */
    text_is("a\u00a0b", NULL, "a\u00a0b");                      /* inner spaces stay */
    text_is("O'Brien — Ξ 名前 مرحبا", NULL, "O'Brien — Ξ 名前 مرحبا");
    text_is("", NULL, ""); /* emptiness is for the length rule */
}

static void text_refused(void **state)
{
    (void)state;
    static const struct {
        const char *in, *code;
    } bad[] = {
        {"bell\a", "control_character"},
        {"esc\x1b[31m", "control_character"},
        {"two\nlines", "control_character"},
        {"cr\r", "control_character"},
        {"tab\there", "control_character"},
        {"del\x7f", "control_character"},
        {"nel\xc2\x85", "control_character"}, /* C1 */
        {"csi\xc2\x9b", "control_character"},
        {"line\u2028sep", "control_character"},
        {"para\u2029sep", "control_character"},
        {"evil\u202egnp.exe", "bidi_control"}, /* RLO */
        {"\u202aLRE", "bidi_control"},
        {"\u202cPDF", "bidi_control"},
        {"iso\u2066late", "bidi_control"},
        {"iso\u2069", "bidi_control"},
        {"lrm\u200e", "bidi_control"},
        {"rlm\u200f", "bidi_control"},
        {"alm\u061c", "bidi_control"},
        {"zw\u200bsp", "zero_width"},
        {"zwnj\u200c", "zero_width"},
        {"zwj\u200d", "zero_width"},
        {"wj\u2060", "zero_width"},
        {"\ufeffbom", "zero_width"},
        {" ", "blank"},
        {"   ", "blank"},
        {"\u00a0\u2003", "blank"},
        {"\xc3", "encoding"},
        {"\xed\xa0\x80", "encoding"}, /* a surrogate */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        text_is(bad[i].in, bad[i].code, NULL);
    char *out = (char *)"unset";
    assert_string_equal(error_code_name(validate_text(NULL, &out)), "encoding");
    assert_null(out);
}

/* Text of several lines: newlines inside, trimmed at the ends; CR and the
 * other controls still refused; only newlines is blank. */
static void text_of_lines(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(validate_text_lines("linha 1\nlinha 2", &out), ERR_NONE);
    assert_string_equal(out, "linha 1\nlinha 2");
    free(out);
    assert_int_equal(validate_text_lines("\n  linha\n\n", &out), ERR_NONE);
    assert_string_equal(out, "linha");
    free(out);
    assert_int_equal(validate_text_lines("a\r\nb", &out), ERR_CONTROL_CHARACTER);
    assert_null(out);
    assert_int_equal(validate_text_lines("a\tb", &out), ERR_CONTROL_CHARACTER);
    assert_int_equal(validate_text_lines("\n\n", &out), ERR_BLANK);
    assert_int_equal(validate_text_lines("a\u2028b", &out), ERR_CONTROL_CHARACTER);
    assert_int_equal(validate_text("a\nb", &out), ERR_CONTROL_CHARACTER); /* one line */
}

static void years(void **state)
{
    (void)state;
    assert_true(validate_year("2027"));
    assert_true(validate_year("0000")); /* the shape only: ranges are the field table's */
    assert_false(validate_year("202"));
    assert_false(validate_year("20271"));
    assert_false(validate_year("20a7"));
    assert_false(validate_year("+027"));
    assert_false(validate_year(""));
    assert_false(validate_year(NULL));
}

static void email_domain_with_invisible_characters(void **state)
{
    (void)state;
    /* libidn2's mapping would drop these and read another domain */
    assert_false(validate_email("geral@exa\u200bmple.pt"));
    assert_false(validate_email("geral@\u00e1guas\u200d.pt"));
    assert_false(validate_email("geral@\u00e1guas\ufeff.pt"));
    assert_false(validate_email("geral@\u00e1gu\u202eas.pt"));
    assert_false(validate_email("geral@\u00e1guas\u00a0.pt"));
    assert_false(validate_email("geral@\u00e1guas\xc2\x85.pt"));
    assert_true(validate_email("geral@\u00e1guas.pt"));
    assert_false(validate_website("https://exa\u200bmple.pt/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nif_valid_numbers),
        cmocka_unit_test(nif_every_accepted_prefix),
        cmocka_unit_test(nif_invalid_numbers),
        cmocka_unit_test(vat_formats_per_country),
        cmocka_unit_test(vat_greece_gb_and_portugal),
        cmocka_unit_test(vat_other_countries_and_bad_input),
        cmocka_unit_test(vat_normal_form),
        cmocka_unit_test(countries),
        cmocka_unit_test(countries_match_iso_codes),
        cmocka_unit_test(postal_codes),
        cmocka_unit_test(emails_accepted),
        cmocka_unit_test(emails_refused),
        cmocka_unit_test(email_lengths),
        cmocka_unit_test(phones),
        cmocka_unit_test(websites_accepted),
        cmocka_unit_test(websites_refused),
        cmocka_unit_test(website_length),
        cmocka_unit_test(handles),
        cmocka_unit_test(handle_from_trade_name),
        cmocka_unit_test(handle_from_short_or_empty),
        cmocka_unit_test(handle_from_long_or_malformed),
        cmocka_unit_test(handle_suffix),
        cmocka_unit_test(field_rules),
        cmocka_unit_test(vat_hook_takes_any_countrys_shape),
        cmocka_unit_test(text_accepted_trimmed_and_nfc),
        cmocka_unit_test(text_refused),
        cmocka_unit_test(text_of_lines),
        cmocka_unit_test(years),
        cmocka_unit_test(email_domain_with_invisible_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
