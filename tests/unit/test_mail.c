/* Email: header injection refused in every header value, RFC 2047 subjects
 * decoded back, quoted-printable bodies decoded back (accents, long lines,
 * leading dots), CRLF only and no line over 998 octets, multipart when there
 * is HTML, and every template rendered with its variables (pt-PT, then
 * English), refused without one, unknown names not found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "mail.h"
#include "util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const struct mail_message GOOD = {
    .from = "Parceria .PT <parceria@dns.pt>",
    .to = "ana.silva@example.pt",
    .subject = "Candidatura recebida / Application received",
    .text = "Olá.\n\nHello.\n",
    .html = NULL,
    .message_id = "<0b9f3a52-6c1e-4c55-8f8e-1f2d3c4b5a69@dns.pt>",
    .date = "Thu, 14 Oct 2027 09:00:00 +0000",
    .list_unsubscribe = NULL,
    .list_unsubscribe_post = NULL,
};

/* Not inlined: GCC 12 at -O3 (the release build) takes the message for a
 * pointer to this function's own local and reports it dangling. */
__attribute__((noinline)) static char *build(const struct mail_message *m)
{
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(mail_build(m, &out, &len), ST_OK);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

/* Every line ends CRLF, none is longer than 998 octets (78 for headers), no
 * bare CR or LF, no line is a lone dot. */
static void assert_wire_form(const char *msg)
{
    size_t n = strlen(msg);
    assert_true(n >= 2 && msg[n - 2] == '\r' && msg[n - 1] == '\n');
    bool in_headers = true;
    for (const char *line = msg; *line;) {
        const char *crlf = strstr(line, "\r\n");
        assert_non_null(crlf);
        size_t len = (size_t)(crlf - line);
        assert_null(memchr(line, '\n', len));
        assert_null(memchr(line, '\r', len));
        assert_true(len <= (in_headers ? 78 : 76));
        assert_false(len >= 1 && line[0] == '.');
        if (len == 0)
            in_headers = false;
        line = crlf + 2;
    }
}

/* The value of header name (unfolded), or NULL. New string. */
static char *header(const char *msg, const char *name)
{
    size_t n = strlen(name);
    const char *end = strstr(msg, "\r\n\r\n");
    for (const char *p = msg; p && p < end; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
        if (strncmp(p, name, n) != 0 || p[n] != ':')
            continue;
        p += n + 1;
        while (*p == ' ')
            p++;
        char *out = xstrdup("");
        for (;;) {
            const char *eol = strstr(p, "\r\n");
            char *joined = xasprintf("%s%.*s", out, (int)(eol - p), p);
            free(out);
            out = joined;
            if (eol[2] != ' ' && eol[2] != '\t')
                return out;
            p = eol + 2;
        }
    }
    return NULL;
}

/* RFC 2047 decoding of B words (and plain text), joining adjacent words. */
static char *decode_words(const char *v)
{
    char *out = xstrdup("");
    while (*v) {
        const char *w = strstr(v, "=?UTF-8?B?");
        if (w == NULL) {
            char *j = xasprintf("%s%s", out, v);
            free(out);
            return j;
        }
        bool between = true; /* whitespace between two words is dropped */
        for (const char *p = v; p < w; p++)
            between = between && (*p == ' ' || *p == '\t');
        if (!between || out[0] == '\0') {
            char *j = xasprintf("%s%.*s", out, (int)(w - v), v);
            free(out);
            out = j;
        }
        const char *payload = w + 10, *stop = strstr(payload, "?=");
        assert_non_null(stop);
        assert_true(stop - w + 2 <= 75);
        unsigned char bin[128];
        size_t bin_len = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, payload, (size_t)(stop - payload), NULL,
                                           &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        char *j = xasprintf("%s%.*s", out, (int)bin_len, (const char *)bin);
        free(out);
        out = j;
        v = stop + 2;
    }
    return out;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Quoted-printable decoding into LF-ended text. */
static char *decode_qp(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=') {
            assert_true(i + 2 < n);
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            assert_true(hi >= 0 && lo >= 0);
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            out[o++] = '\n';
            i++;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static char *body_of(const char *msg)
{
    const char *b = strstr(msg, "\r\n\r\n");
    assert_non_null(b);
    return decode_qp(b + 4, strlen(b + 4));
}

static void injection_refused(void **state)
{
    (void)state;
    const char *bad[] = {"\r", "\n", "\r\n", "\r\nBcc: x@evil.example", "\nX: y"};
    for (size_t field = 0; field < 7; field++) {
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            struct mail_message m = GOOD;
            m.list_unsubscribe = "<https://parceria.dns.pt/u/1>";
            m.list_unsubscribe_post = "List-Unsubscribe=One-Click";
            const char *base[] = {m.from,
                                  m.to,
                                  m.subject,
                                  m.message_id,
                                  m.date,
                                  m.list_unsubscribe,
                                  m.list_unsubscribe_post};
            /* at the end, and in the middle */
            char *v1 = xasprintf("%s%s", base[field], bad[i]);
            char *v2 = xasprintf("%.3s%s%s", base[field], bad[i], base[field] + 3);
            for (int k = 0; k < 2; k++) {
                const char *v = k ? v2 : v1;
                const char **slot[] = {&m.from,
                                       &m.to,
                                       &m.subject,
                                       &m.message_id,
                                       &m.date,
                                       &m.list_unsubscribe,
                                       &m.list_unsubscribe_post};
                *slot[field] = v;
                char *out = (char *)1;
                size_t len = 99;
                assert_int_equal(mail_build(&m, &out, &len), ST_INVALID);
                assert_null(out);
                assert_int_equal(len, 0);
            }
            free(v1);
            free(v2);
        }
    }
    /* the same message without the CR or LF builds */
    struct mail_message m = GOOD;
    m.list_unsubscribe = "<https://parceria.dns.pt/u/1>";
    m.list_unsubscribe_post = "List-Unsubscribe=One-Click";
    char *out = build(&m);
    char *v = header(out, "List-Unsubscribe");
    assert_string_equal(v, "<https://parceria.dns.pt/u/1>");
    free(v);
    free(out);
}

static void addresses(void **state)
{
    (void)state;
    const char *bad_to[] = {"not an address",
                            "a@b",
                            "Ana <ana@example.pt>",
                            "a@@example.pt",
                            "ana@example.pt, bob@example.pt",
                            "",
                            "<>"};
    for (size_t i = 0; i < sizeof bad_to / sizeof *bad_to; i++) {
        struct mail_message m = GOOD;
        m.to = bad_to[i];
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(mail_build(&m, &out, &len), ST_INVALID);
    }
    const char *bad_from[] = {"Parceria <nope>", "Parceria parceria@dns.pt>",
                              "Parceria <parceria@dns.pt", "A <b <parceria@dns.pt>>",
                              "Parceria\t\x01 <parceria@dns.pt>"};
    for (size_t i = 0; i < sizeof bad_from / sizeof *bad_from; i++) {
        struct mail_message m = GOOD;
        m.from = bad_from[i];
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(mail_build(&m, &out, &len), ST_INVALID);
    }
    struct mail_message m = GOOD;
    m.from = "Associação DNS.PT <parceria@dns.pt>";
    m.to = "<ana@exemplo-çã.pt>";
    char *out = build(&m);
    char *from = header(out, "From"), *to = header(out, "To");
    char *name = decode_words(from);
    assert_string_equal(name, "Associação DNS.PT <parceria@dns.pt>");
    assert_string_equal(to, "<ana@xn--exemplo--yza3b.pt>");
    free(from);
    free(to);
    free(name);
    free(out);
    m.from = "parceria@dns.pt";
    out = build(&m);
    from = header(out, "From");
    assert_string_equal(from, "<parceria@dns.pt>");
    free(from);
    free(out);
    m.from = "Parceria, .PT <parceria@dns.pt>";
    out = build(&m);
    from = header(out, "From");
    assert_string_equal(from, "\"Parceria, .PT\" <parceria@dns.pt>");
    free(from);
    free(out);
}

static void subjects(void **state)
{
    (void)state;
    const char *subjects[] = {
        "Candidatura recebida / Application received",
        "Decisão sobre a candidatura da Águas & Companhia, Lda. / Decision on the application",
        "Inscrição confirmada: Encontro de Registrars — Lisboa 2027 ✓ 🎉 / Registration confirmed",
        "ção",
        ("An ASCII subject that is long enough to need folding at a space, since a header line "
         "should stay under seventy-eight characters"),
        "Looks like a word =?UTF-8?B?QQ==?= but is not",
    };
    for (size_t i = 0; i < sizeof subjects / sizeof *subjects; i++) {
        struct mail_message m = GOOD;
        m.subject = subjects[i];
        char *out = build(&m);
        assert_wire_form(out);
        char *raw = header(out, "Subject"), *decoded = decode_words(raw);
        assert_string_equal(decoded, subjects[i]);
        bool ascii = true;
        for (const char *p = raw; *p; p++)
            ascii = ascii && (unsigned char)*p < 0x80;
        assert_true(ascii);
        free(raw);
        free(decoded);
        free(out);
    }
    struct mail_message m = GOOD;
    m.subject = "bad \xc3 utf-8";
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(mail_build(&m, &out, &len), ST_INVALID);
    m.subject = "tab\tok but bell \a no";
    assert_int_equal(mail_build(&m, &out, &len), ST_INVALID);
}

static void headers_present(void **state)
{
    (void)state;
    struct mail_message m = GOOD;
    char *out = build(&m);
    assert_wire_form(out);
    const char *names[] = {
        "From",       "To",           "Subject",      "Date",
        "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *v = header(out, names[i]);
        assert_non_null(v);
        free(v);
    }
    char *v = header(out, "Message-ID");
    assert_string_equal(v, GOOD.message_id);
    free(v);
    v = header(out, "Date");
    assert_string_equal(v, GOOD.date);
    free(v);
    v = header(out, "Content-Type");
    assert_string_equal(v, "text/plain; charset=utf-8");
    free(v);
    v = header(out, "List-Unsubscribe");
    assert_null(v);
    free(out);
    /* a date and a Message-ID of its own when none is given */
    m.date = NULL;
    m.message_id = NULL;
    out = build(&m);
    v = header(out, "Date");
    assert_int_equal(strlen(v), strlen("Thu, 14 Oct 2027 09:00:00 +0000"));
    assert_string_equal(v + strlen(v) - 5, "+0000");
    free(v);
    v = header(out, "Message-ID");
    assert_true(v[0] == '<' && strstr(v, "@dns.pt>") != NULL);
    free(v);
    free(out);
    const char *bad_ids[] = {"no-brackets@x", "<no-at>", "<a b@c>", "<a@b>>", "<>"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) {
        m.message_id = bad_ids[i];
        size_t len = 0;
        assert_int_equal(mail_build(&m, &out, &len), ST_INVALID);
    }
}

static void bodies(void **state)
{
    (void)state;
    char *long_line = xmalloc(5000);
    long_line[0] = '\0';
    for (int i = 0; i < 300; i++)
        strcat(long_line, "ação ");
    char *text = xasprintf("Olá, Ana.\r\n\r\nAcentuação: é, ã, ç, õ, €, 🎉.\n.\n..\n. \nFrom "
                           "here\nfim = 1 \t\nlone\rcr\n%s\nx",
                           long_line);
    struct mail_message m = GOOD;
    m.text = text;
    char *out = build(&m);
    assert_wire_form(out);
    char *v = header(out, "Content-Transfer-Encoding");
    assert_string_equal(v, "quoted-printable");
    free(v);
    char *body = body_of(out);
    char *want = xasprintf("Olá, Ana.\n\nAcentuação: é, ã, ç, õ, €, 🎉.\n.\n..\n. \nFrom "
                           "here\nfim = 1 \t\nlone\rcr\n%s\nx\n",
                           long_line);
    assert_string_equal(body, want);
    assert_null(strstr(out, "\r\nFrom "));
    free(want);
    free(body);
    free(out);
    free(text);
    free(long_line);
    m.text = "bad \xff";
    size_t len = 0;
    assert_int_equal(mail_build(&m, &out, &len), ST_INVALID);
}

static void multipart(void **state)
{
    (void)state;
    struct mail_message m = GOOD;
    m.text = "Olá\n";
    m.html = "<p>Olá &amp; adeus</p>\n";
    char *out = build(&m);
    assert_wire_form(out);
    char *ct = header(out, "Content-Type");
    assert_non_null(strstr(ct, "multipart/alternative; boundary=\""));
    char *boundary = xstrdup(strchr(ct, '"') + 1);
    *strchr(boundary, '"') = '\0';
    char *delim = xasprintf("\r\n--%s\r\n", boundary),
         *close = xasprintf("\r\n--%s--\r\n", boundary);
    const char *p1 = strstr(out, delim);
    assert_non_null(p1);
    const char *p2 = strstr(p1 + 1, delim);
    assert_non_null(p2);
    const char *end = strstr(p2 + 1, close);
    assert_non_null(end);
    assert_string_equal(end + strlen(close), "");
    assert_non_null(strstr(p1, "Content-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(p2, "Content-Type: text/html; charset=utf-8\r\n"));
    const char *h = strstr(p2, "\r\n\r\n") + 4;
    char *html = decode_qp(h, (size_t)(end - h + 2));
    assert_string_equal(html, "<p>Olá &amp; adeus</p>\n");
    free(html);
    free(delim);
    free(close);
    free(boundary);
    free(ct);
    free(out);
}

static void expand(void **state)
{
    (void)state;
    json_t *vars = json_pack("{s:s, s:i, s:s, s:n, s:s}", "name", "<Ana & \"Bia\">", "n", 3,
                             "empty", "", "none", "decision", "approved");
    char *out = NULL;
    assert_int_equal(mail_expand("a {{name}} {{n}}[{{none}}]", vars, false, &out), ST_OK);
    assert_string_equal(out, "a <Ana & \"Bia\"> 3[]");
    free(out);
    assert_int_equal(mail_expand("<b>{{name}}</b>", vars, true, &out), ST_OK);
    assert_string_equal(out, "<b>&lt;Ana &amp; &quot;Bia&quot;&gt;</b>");
    free(out);
    assert_int_equal(mail_expand("{{#decision=approved}}yes{{#name}}+{{n}}{{/name}}{{/decision}}"
                                 "{{#decision=rejected}}no{{/decision}}{{#empty}}E{{/empty}}.",
                                 vars, false, &out),
                     ST_OK);
    assert_string_equal(out, "yes+3.");
    free(out);
    assert_int_equal(mail_expand("{{#n}}a{{#n}}b{{/n}}c{{/n}}d", vars, false, &out), ST_OK);
    assert_string_equal(out, "abcd");
    free(out);
    const char *bad[] = {"{{missing}}", "{{#missing}}x{{/missing}}",
                         "{{name",      "{{#name}}unclosed",
                         "{{/name}}",   "{{}}",
                         "{{Name}}",    "{{name }}",
                         "{{name=x}}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        out = (char *)1;
        assert_int_equal(mail_expand(bad[i], vars, false, &out), ST_INVALID);
        assert_null(out);
    }
    /* a value is never read as a template */
    json_object_set_new(vars, "name", json_string("{{n}}"));
    assert_int_equal(mail_expand("{{name}}", vars, false, &out), ST_OK);
    assert_string_equal(out, "{{n}}");
    free(out);
    json_decref(vars);
}

static const struct {
    const char *name;
    const char *vars; /* every variable the template needs */
    const char *shows[3];
} TEMPLATES[] = {
    {"application-received",
     "{\"legal_name\": \"Águas & Companhia, Lda.\", \"application_id\": "
     "\"4f707dbc-ae95-4f4c-bf97-5d4c6bae0045\"}",
     {"Águas & Companhia, Lda.", "4f707dbc-ae95-4f4c-bf97-5d4c6bae0045", NULL}},
    {"application-decided",
     "{\"legal_name\": \"Águas Lda\", \"application_id\": \"a1\", \"decision\": \"rejected\","
     " \"reason\": \"Falta o NIF.\"}",
     {"Falta o NIF.", "não foi aprovada", "has not been approved"}},
    {"enrollment-decided",
     "{\"trade_name\": \"Webtuga\", \"program\": \"PME-DIGITAL\", \"decision\": \"active\","
     " \"reason\": \"\"}",
     {"Webtuga", "foi aprovada", "has been approved"}},
    {"voucher-issued",
     "{\"name\": \"Ana Silva\", \"code\": \"PT-7K3Q-9MZX\", \"program\": \"PME-DIGITAL\","
     " \"expires_at\": \"2027-12-31\"}",
     {"PT-7K3Q-9MZX", "2027-12-31", "Ana Silva"}},
    {"voucher-redeemed",
     "{\"name\": \"Ana Silva\", \"code\": \"PT-7K3Q-9MZX\", \"domain\": \"padaria-ana.pt\","
     " \"registrar\": \"Webtuga\", \"registrar_website\": \"https://webtuga.pt\"}",
     {"padaria-ana.pt", "Webtuga", "https://webtuga.pt"}},
    {"registration-confirmed",
     "{\"trade_name\": \"Webtuga\", \"event_title\": \"Encontro 2027\", \"starts_at\":"
     " \"2027-10-14 09:00 UTC\", \"location\": \"Lisboa\", \"seats\": 2}",
     {"Encontro 2027", "2027-10-14 09:00 UTC", "Lugares reservados: 2"}},
    {"registration-promoted",
     "{\"trade_name\": \"Webtuga\", \"event_title\": \"Encontro 2027\", \"starts_at\":"
     " \"2027-10-14 09:00 UTC\", \"location\": \"Lisboa\", \"seats\": 1}",
     {"lista de espera", "waiting list", "Seats reserved: 1"}},
    {"draw-results",
     "{\"trade_name\": \"Webtuga\", \"draw_title\": \"Sorteio CENTR\", \"event_title\":"
     " \"CENTR Jamboree\", \"starts_at\": \"2027-05-20\", \"location\": \"Bruxelas\"}",
     {"Sorteio CENTR", "CENTR Jamboree", "Bruxelas"}},
    /* community: contacts (its "reply_to" var is the worker's, for Reply-To) */
    {"contact-request",
     "{\"topic\": \"3em1\", \"mailbox\": \"Programa 3em1\", \"request_id\": \"8b3e2f1a\","
     " \"name\": \"Maria Fernandes\", \"email\": \"maria@exemplo.pt\", \"subject\":"
     " \"Adesão\", \"message\": \"Linha 1\\nLinha 2\", \"registrar\": \"Webtuga\"}",
     {"Maria Fernandes <maria@exemplo.pt>", "Linha 1\nLinha 2", "Registrar: Webtuga"}},
    /* trust: incidents */
    {"incident-acknowledged",
     "{\"trade_name\": \"Webtuga\", \"title\": \"Phishing bancário\", \"severity\": \"high\","
     " \"tlp\": \"AMBER\", \"incident_id\": \"5b7d9f1a-3c5e-4a7b-9d1f-3b5d7f9a1c3e\"}",
     {"Phishing bancário", "TLP:AMBER", "5b7d9f1a-3c5e-4a7b-9d1f-3b5d7f9a1c3e"}},
};

/* community: contacts. Reply-To: one address, in its ASCII form; a display
 * name, a list, anything not an address or holding CR or LF is refused. */
static void reply_to(void **state)
{
    (void)state;
    struct mail_message m = GOOD;
    m.reply_to = "maria.fernandes@exemplo.pt";
    char *out = build(&m);
    assert_wire_form(out);
    char *v = header(out, "Reply-To");
    assert_string_equal(v, "<maria.fernandes@exemplo.pt>");
    free(v);
    free(out);
    m.reply_to = "joao@câmara.pt";
    out = build(&m);
    v = header(out, "Reply-To");
    assert_string_equal(v, "<joao@xn--cmara-3qa.pt>");
    free(v);
    free(out);
    m = GOOD; /* none: no header */
    out = build(&m);
    assert_null(strstr(out, "Reply-To"));
    free(out);
    const char *bad[] = {
        "maria@exemplo.pt\r\nBcc: x@evil.example", "maria@exemplo.pt\n", "Maria <maria@exemplo.pt>",
        "maria@exemplo.pt, x@evil.example",        "não é email",        ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        m.reply_to = bad[i];
        char *o = (char *)1;
        size_t len = 99;
        assert_int_equal(mail_build(&m, &o, &len), ST_INVALID);
        assert_null(o);
        assert_int_equal(len, 0);
    }
}

static void templates(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof TEMPLATES / sizeof *TEMPLATES; i++) {
        assert_true(mail_template_known(TEMPLATES[i].name));
        json_t *vars = json_loads(TEMPLATES[i].vars, 0, NULL);
        assert_non_null(vars);
        char *subject = NULL, *text = NULL, *html = NULL;
        assert_int_equal(mail_render(TEMPLATES[i].name, vars, &subject, &text, &html), ST_OK);
        assert_non_null(subject);
        assert_non_null(text);
        assert_null(strstr(subject, "{{"));
        assert_null(strstr(text, "{{"));
        assert_null(strstr(text, "}}"));
        assert_null(strchr(subject, '\n'));
        assert_non_null(strstr(subject, " / "));
        /* pt-PT first, then English below the separator */
        const char *sep = strstr(text, "-------- English\n");
        assert_non_null(sep);
        assert_non_null(strstr(text, "Com os melhores cumprimentos"));
        assert_true(strstr(text, "Com os melhores cumprimentos") < sep);
        assert_true(strstr(text, "Kind regards") > sep);
        assert_null(strstr(text, "\n\n\n"));
        for (size_t k = 0; k < 3 && TEMPLATES[i].shows[k]; k++)
            if (strstr(text, TEMPLATES[i].shows[k]) == NULL)
                fail_msg("%s lacks \"%s\":\n%s", TEMPLATES[i].name, TEMPLATES[i].shows[k], text);
        if (html != NULL)
            assert_null(strstr(html, "{{"));
        /* it builds into a message */
        struct mail_message m = GOOD;
        m.subject = subject;
        m.text = text;
        m.html = html;
        char *out = build(&m);
        assert_wire_form(out);
        char *body = body_of(out);
        assert_string_equal(body, text);
        free(body);
        free(out);
        free(subject);
        free(text);
        free(html);
        /* each variable is needed */
        const char *key;
        json_t *value;
        json_object_foreach(vars, key, value)
        {
            json_t *less = json_deep_copy(vars);
            json_object_del(less, key);
            subject = text = html = (char *)1;
            assert_int_equal(mail_render(TEMPLATES[i].name, less, &subject, &text, &html),
                             ST_INVALID);
            assert_null(subject);
            assert_null(text);
            assert_null(html);
            json_decref(less);
        }
        json_decref(vars);
    }
}

static void template_edges(void **state)
{
    (void)state;
    json_t *vars = json_pack("{s:s, s:s}", "legal_name", "X", "application_id", "1");
    char *subject = (char *)1, *text = (char *)1, *html = (char *)1;
    const char *unknown[] = {"no-such-template", "", "../mail/application-received",
                             "application-received.txt", "APPLICATION-RECEIVED"};
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        assert_false(mail_template_known(unknown[i]));
        assert_int_equal(mail_render(unknown[i], vars, &subject, &text, &html), ST_NOT_FOUND);
        assert_null(subject);
    }
    /* a value holding CR or LF never reaches the subject */
    json_object_set_new(vars, "legal_name", json_string("X\r\nBcc: evil@example.com"));
    assert_int_equal(mail_render("application-received", vars, &subject, &text, &html), ST_INVALID);
    assert_null(subject);
    assert_null(text);
    /* in the body it is text */
    json_t *v2 = json_pack("{s:s, s:s, s:s, s:s}", "legal_name", "X", "application_id", "1",
                           "decision", "approved", "reason", "linha 1\nlinha 2");
    assert_int_equal(mail_render("application-decided", v2, &subject, &text, &html), ST_OK);
    assert_non_null(strstr(text, "linha 1\nlinha 2"));
    assert_non_null(strstr(text, "foi aprovada"));
    assert_null(strstr(text, "não foi aprovada"));
    free(subject);
    free(text);
    free(html);
    json_decref(v2);
    json_decref(vars);
}

static void send_refusals(void **state)
{
    (void)state;
    char error[MAIL_ERROR_MAX];
    struct mail_smtp s = {.url = "smtp://127.0.0.1:1",
                          .user = "u",
                          .password = "s3cret!",
                          .connect_timeout_s = 2,
                          .timeout_s = 2};
    assert_int_equal(mail_send(&s, "p@dns.pt", "a\r\nb@x.pt", "x", 1, error), ST_INVALID);
    s.url = "http://127.0.0.1:1";
    assert_int_equal(mail_send(&s, "p@dns.pt", "a@example.pt", "x", 1, error), ST_RETRY);
    s.url = "smtp://127.0.0.1:1";
    /* port 1: no connection, a failure that may pass; the password never shows */
    assert_int_equal(mail_send(&s, "Parceria <p@dns.pt>", "a@example.pt", "x\r\n", 3, error),
                     ST_RETRY);
    assert_true(strlen(error) > 0);
    assert_null(strstr(error, "s3cret!"));
}

int main(void)
{
    mail_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(injection_refused),
        cmocka_unit_test(addresses),
        cmocka_unit_test(subjects),
        cmocka_unit_test(headers_present),
        cmocka_unit_test(bodies),
        cmocka_unit_test(multipart),
        cmocka_unit_test(expand),
        cmocka_unit_test(templates),
        cmocka_unit_test(template_edges),
        cmocka_unit_test(send_refusals),
        cmocka_unit_test(reply_to), /* community: contacts */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
