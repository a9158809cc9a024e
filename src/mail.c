/* Email: the message as RFC 5322 + MIME text (UTF-8 subjects as RFC 2047
 * encoded-words, bodies quoted-printable so no line passes 76 octets and no
 * line starts with a dot), the templates compiled into the binary
 * (templates/mail/), and sending by SMTP through libcurl. Every header value
 * is refused when it holds a CR or an LF: nothing a user typed can add a
 * header. */
#include "mail.h"

#include "embed.h"
#include "util.h"
#include "validate.h"

#include <curl/curl.h>
#include <idn2.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A growing string; allocation aborts (util.h). */
struct buf {
    char *data;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > b->cap)
            b->cap *= 2;
        b->data = xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    buf_add(b, s, (size_t)n);
    free(s);
}

/* ---- header values ---- */

static bool has_crlf(const char *s)
{
    return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/* Printable ASCII and spaces only: what may stand in a header unencoded. */
static bool plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

/* No control character (C0 but TAB, DEL) and valid UTF-8. */
static bool header_text_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return false;
    return util_valid_utf8(s, strlen(s));
}

/* An address in the form SMTP and headers take: the local part as validated
 * (ASCII), the domain in A-label form. New string, or NULL when it is not an
 * address. */
static char *ascii_address(const char *addr, size_t n)
{
    char *a = xstrndup(addr, n);
    char *out = NULL;
    if (!has_crlf(a) && validate_email(a)) {
        char *at = strrchr(a, '@');
        char *domain = NULL;
        if (plain_ascii(at + 1)) {
            out = xstrdup(a);
        } else if (idn2_to_ascii_8z(at + 1, &domain, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) ==
                   IDN2_OK) {
            out = xasprintf("%.*s@%s", (int)(at - a), a, domain);
        }
        idn2_free(domain);
    }
    free(a);
    return out;
}

/* Splits "Name <addr>" or "addr" into the display name (or NULL) and the
 * address's ASCII form. False when it is neither. */
static bool split_mailbox(const char *s, char **name, char **addr)
{
    *name = *addr = NULL;
    if (s == NULL || has_crlf(s) || !header_text_ok(s))
        return false;
    const char *lt = strchr(s, '<');
    if (lt == NULL) {
        *addr = ascii_address(s, strlen(s));
        return *addr != NULL;
    }
    size_t n = strlen(s);
    if (n < 2 || s[n - 1] != '>' || strchr(lt + 1, '<') != NULL || strchr(lt, '>') != s + n - 1)
        return false;
    *addr = ascii_address(lt + 1, (size_t)(s + n - 1 - lt - 1));
    if (*addr == NULL)
        return false;
    size_t len = (size_t)(lt - s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t start = 0;
    while (start < len && (s[start] == ' ' || s[start] == '\t'))
        start++;
    if (len > start)
        *name = xstrndup(s + start, len - start);
    return true;
}

/* One RFC 2047 encoded-word per piece of at most 42 octets (56 base64
 * characters, 68 with the delimiters: with "Subject: " a line stays under
 * 78), never cutting a UTF-8 character; pieces are folded onto lines of
 * their own. */
static void encoded_words(struct buf *b, const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t take = n - i < 42 ? n - i : 42;
        while (i + take < n && ((unsigned char)s[i + take] & 0xc0) == 0x80)
            take--;
        char b64[64];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, take,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_printf(b, "%s=?UTF-8?B?%s?=", i == 0 ? "" : "\r\n ", b64);
        i += take;
    }
}

/* A phrase (a display name): as it is when plain atoms, a quoted string when
 * plain ASCII with specials, encoded-words otherwise. */
static void phrase(struct buf *b, const char *s)
{
    if (!plain_ascii(s)) {
        encoded_words(b, s);
        return;
    }
    if (strpbrk(s, "()<>[]:;@\\,.\"") == NULL) {
        buf_str(b, s);
        return;
    }
    buf_str(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_str(b, "\\");
        buf_add(b, p, 1);
    }
    buf_str(b, "\"");
}

/* Unstructured text (the subject): as it is, folded at spaces, when plain
 * ASCII that needs no encoding; encoded-words otherwise. */
static void unstructured(struct buf *b, const char *s, size_t used)
{
    if (!plain_ascii(s) || strstr(s, "=?") != NULL) {
        encoded_words(b, s);
        return;
    }
    size_t col = used;
    const char *p = s;
    while (*p) {
        const char *sp = strchr(p + 1, ' ');
        size_t word = sp ? (size_t)(sp - p) : strlen(p);
        if (col + word > 78 && p != s && *p == ' ') {
            buf_str(b, "\r\n");
            col = 0;
        }
        buf_add(b, p, word);
        col += word;
        p += word;
    }
}

/* A Message-ID: "<left@right>", visible ASCII, no space, no second '<'. */
static bool message_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 5 || n > 250 || s[0] != '<' || s[n - 1] != '>' || strchr(s, '@') == NULL)
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '<' || s[i] == '>')
            return false;
    return true;
}

static void rfc5322_date(time_t t, char out[40])
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- bodies ---- */

/* Quoted-printable (RFC 2045 6.7): lines end CRLF; LF and CRLF in the text
 * are line breaks; '=' , bytes outside printable ASCII, a lone CR, spaces
 * before a line end, a dot or the F of "From " starting a line are encoded;
 * soft breaks keep every line at most 76 octets. */
static bool needs_encoding(const unsigned char *p, size_t col)
{
    bool at_end = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
    return *p == '=' || *p > 0x7e || (*p < 0x20 && *p != '\t') ||
           ((*p == ' ' || *p == '\t') && at_end) || (col == 0 && *p == '.') ||
           (col == 0 && strncmp((const char *)p, "From ", 5) == 0);
}

static void quoted_printable(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
            p += *p == '\r';
            buf_str(b, "\r\n");
            col = 0;
            continue;
        }
        bool enc = needs_encoding(p, col);
        size_t w = enc ? 3 : 1;
        if (col + w > 75) {
            buf_str(b, "=\r\n");
            col = 0;
            enc = needs_encoding(p, col);
            w = enc ? 3 : 1;
        }
        if (enc) {
            char e[3] = {'=', hex[*p >> 4], hex[*p & 15]};
            buf_add(b, e, 3);
        } else {
            buf_add(b, (const char *)p, 1);
        }
        col += w;
    }
    if (col > 0)
        buf_str(b, "\r\n");
}

static void part(struct buf *b, const char *type, const char *body)
{
    buf_printf(b,
               "Content-Type: %s; charset=utf-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
               type);
    quoted_printable(b, body);
}

/* The headers whose values the caller gives as they are: each free of CR and
 * LF, and plain ASCII. */
static bool raw_headers_ok(const struct mail_message *m)
{
    const char *raw[] = {m->date, m->list_unsubscribe, m->list_unsubscribe_post};
    for (size_t i = 0; i < sizeof raw / sizeof *raw; i++)
        if (raw[i] != NULL && (raw[i][0] == '\0' || !plain_ascii(raw[i])))
            return false;
    return true;
}

static bool header_values_ok(const struct mail_message *m)
{
    const char *all[] = {m->from,
                         m->to,
                         m->subject,
                         m->message_id,
                         m->date,
                         m->list_unsubscribe,
                         m->list_unsubscribe_post,
                         m->reply_to};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (has_crlf(all[i]))
            return false;
    return m->subject != NULL && m->text != NULL && header_text_ok(m->subject) &&
           util_valid_utf8(m->text, strlen(m->text)) &&
           (m->html == NULL || util_valid_utf8(m->html, strlen(m->html))) && raw_headers_ok(m) &&
           (m->message_id == NULL || message_id_ok(m->message_id));
}

static void headers(struct buf *b, const struct mail_message *m, const char *from_name,
                    const char *from_addr, const char *to_addr, const char *reply_addr)
{
    char date[40];
    if (m->date == NULL)
        rfc5322_date(time(NULL), date);
    buf_str(b, "From: ");
    if (from_name != NULL) {
        phrase(b, from_name);
        /* the address on a line of its own when it would pass 78 */
        const char *line = b->data;
        for (const char *p = b->data; (p = strstr(p, "\r\n")) != NULL; p += 2)
            line = p + 2;
        bool fold = (size_t)(b->data + b->len - line) + strlen(from_addr) + 3 > 78;
        buf_str(b, fold ? "\r\n " : " ");
    }
    buf_printf(b, "<%s>\r\nTo: <%s>\r\nSubject: ", from_addr, to_addr);
    unstructured(b, m->subject, strlen("Subject: "));
    buf_printf(b, "\r\nDate: %s\r\n", m->date ? m->date : date);
    if (m->message_id != NULL) {
        buf_printf(b, "Message-ID: %s\r\n", m->message_id);
    } else {
        char uuid[UTIL_UUID_LEN + 1];
        util_uuid_v4(uuid);
        buf_printf(b, "Message-ID: <%s@%s>\r\n", uuid, strrchr(from_addr, '@') + 1);
    }
    if (m->list_unsubscribe != NULL)
        buf_printf(b, "List-Unsubscribe: %s\r\n", m->list_unsubscribe);
    if (m->list_unsubscribe_post != NULL)
        buf_printf(b, "List-Unsubscribe-Post: %s\r\n", m->list_unsubscribe_post);
    if (reply_addr != NULL)
        buf_printf(b, "Reply-To: <%s>\r\n", reply_addr);
    buf_str(b, "MIME-Version: 1.0\r\n");
}

enum status mail_build(const struct mail_message *m, char **out, size_t *len)
{
    enum status st = ST_INVALID;
    char *from_name = NULL, *from_addr = NULL, *to_name = NULL, *to_addr = NULL;
    char *reply_name = NULL, *reply_addr = NULL;
    struct buf b = {0};
    *out = NULL;
    *len = 0;
    if (!header_values_ok(m) || !split_mailbox(m->from, &from_name, &from_addr) ||
        !split_mailbox(m->to, &to_name, &to_addr) || to_name != NULL)
        goto out;
    if (m->reply_to != NULL &&
        (!split_mailbox(m->reply_to, &reply_name, &reply_addr) || reply_name != NULL))
        goto out;
    headers(&b, m, from_name, from_addr, to_addr, reply_addr);
    if (m->html == NULL) {
        part(&b, "text/plain", m->text);
    } else {
        char uuid[UTIL_UUID_LEN + 1];
        util_uuid_v4(uuid);
        /* "=_" never occurs in quoted-printable text: no part can hold it. */
        buf_printf(&b,
                   "Content-Type: multipart/alternative;\r\n boundary=\"=_%s\"\r\n\r\n"
                   "This is a MIME message.\r\n--=_%s\r\n",
                   uuid, uuid);
        part(&b, "text/plain", m->text);
        buf_printf(&b, "--=_%s\r\n", uuid);
        part(&b, "text/html", m->html);
        buf_printf(&b, "--=_%s--\r\n", uuid);
    }
    *out = b.data;
    *len = b.len;
    b.data = NULL;
    st = ST_OK;
out:
    free(b.data);
    free(from_name);
    free(from_addr);
    free(to_name);
    free(to_addr);
    free(reply_name);
    free(reply_addr);
    return st;
}

/* ---- templates ---- */

/* A template: templates/mail/<name>.txt, whose first line is "Subject: …"
 * and whose body follows an empty line; optionally <name>.html, a body only.
 * In both, {{var}} is a value of vars (a string, a number; null is empty),
 * {{#var}}…{{/var}} shows its inside when var is not empty and
 * {{#var=value}}…{{/var}} when var is exactly value. */

/* The value of var as text, or NULL when vars lacks it. New string. */
static char *var_text(const json_t *vars, const char *name)
{
    const json_t *v = json_object_get(vars, name);
    if (v == NULL)
        return NULL;
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_real(v))
        return xasprintf("%g", json_real_value(v));
    if (json_is_null(v))
        return xstrdup("");
    return NULL;
}

static void html_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_str(b, "&amp;");
            break;
        case '<':
            buf_str(b, "&lt;");
            break;
        case '>':
            buf_str(b, "&gt;");
            break;
        case '"':
            buf_str(b, "&quot;");
            break;
        case '\'':
            buf_str(b, "&#39;");
            break;
        default:
            buf_add(b, s, 1);
        }
    }
}

struct expand {
    const json_t *vars;
    bool html;    /* escape values for HTML */
    bool oneline; /* a value with CR or LF is refused (the subject) */
};

static enum status expand_range(const struct expand *x, const char *s, const char *end,
                                struct buf *b);

/* The matching "{{/name}}" of a section opened before s, counting sections
 * of the same name opened inside it; NULL when there is none. */
static const char *section_end(const char *s, const char *end, const char *name, size_t n)
{
    int depth = 1;
    for (const char *p = s; p + 4 + n <= end; p++) {
        if (p[0] != '{' || p[1] != '{' || (p[2] != '#' && p[2] != '/') ||
            strncmp(p + 3, name, n) != 0 || (p[3 + n] != '}' && p[3 + n] != '='))
            continue;
        if (p[2] == '#')
            depth++;
        else if (p[3 + n] == '}' && --depth == 0)
            return p;
    }
    return NULL;
}

/* One tag, "{{" at s and its "}}" at close: a value or a section. *next gets
 * where to go on. */
static enum status expand_tag(const struct expand *x, const char *s, const char *close,
                              const char *end, struct buf *b, const char **next)
{
    const char *name = s + 2 + (s[2] == '#');
    const char *eq = memchr(name, '=', (size_t)(close - name));
    size_t n = (size_t)((eq ? eq : close) - name);
    if (n == 0 || n > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") < n ||
        s[2] == '/' || (eq != NULL && s[2] != '#'))
        return ST_INVALID;
    char key[65];
    memcpy(key, name, n);
    key[n] = '\0';
    char *value = var_text(x->vars, key);
    if (value == NULL)
        return ST_INVALID;
    enum status st = ST_OK;
    if (s[2] != '#') {
        if (x->oneline && has_crlf(value))
            st = ST_INVALID;
        else if (x->html)
            html_escape(b, value);
        else
            buf_str(b, value);
        *next = close + 2;
    } else {
        const char *inner = close + 2, *stop = section_end(inner, end, key, n);
        bool shown = eq ? strlen(value) == (size_t)(close - eq - 1) &&
                              strncmp(value, eq + 1, (size_t)(close - eq - 1)) == 0
                        : value[0] != '\0';
        /* A hidden inside is expanded too, and dropped: a tag it holds
         * must name a variable all the same. */
        struct buf hidden = {0};
        if (stop == NULL)
            st = ST_INVALID;
        else
            st = expand_range(x, inner, stop, shown ? b : &hidden);
        free(hidden.data);
        *next = stop ? stop + n + 5 : end;
    }
    free(value);
    return st;
}

static enum status expand_range(const struct expand *x, const char *s, const char *end,
                                struct buf *b)
{
    while (s < end) {
        const char *open = memmem(s, (size_t)(end - s), "{{", 2);
        if (open == NULL) {
            buf_add(b, s, (size_t)(end - s));
            break;
        }
        buf_add(b, s, (size_t)(open - s));
        const char *close = memmem(open, (size_t)(end - open), "}}", 2);
        if (close == NULL)
            return ST_INVALID;
        enum status st = expand_tag(x, open, close, end, b, &s);
        if (st != ST_OK)
            return st;
    }
    return ST_OK;
}

enum status mail_expand(const char *tmpl, const json_t *vars, bool html, char **out)
{
    struct expand x = {.vars = vars, .html = html, .oneline = false};
    struct buf b = {0};
    buf_str(&b, "");
    enum status st =
        json_is_object(vars) ? expand_range(&x, tmpl, tmpl + strlen(tmpl), &b) : ST_INVALID;
    if (st != ST_OK) {
        free(b.data);
        b.data = NULL;
    }
    *out = b.data;
    return st;
}

static const struct embed_file *template_file(const char *name, const char *ext)
{
    if (name == NULL || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(name))
        return NULL;
    char *file = xasprintf("%s.%s", name, ext);
    const struct embed_file *found = NULL;
    for (const struct embed_file *f = embed_mail_templates; f->name != NULL; f++)
        if (strcmp(f->name, file) == 0)
            found = f;
    free(file);
    return found;
}

bool mail_template_known(const char *name)
{
    return template_file(name, "txt") != NULL;
}

enum status mail_render(const char *name, const json_t *vars, char **subject, char **text,
                        char **html)
{
    *subject = *text = *html = NULL;
    const struct embed_file *t = template_file(name, "txt");
    if (t == NULL)
        return ST_NOT_FOUND;
    if (!json_is_object(vars))
        return ST_INVALID;
    /* "Subject: …\n\n" then the body; the files are ours, so a malformed
     * one is a bug the unit tests catch. */
    const char *nl = strchr(t->data, '\n');
    if (strncmp(t->data, "Subject: ", 9) != 0 || nl == NULL || nl[1] != '\n')
        return ST_INVALID;
    struct expand x = {.vars = vars, .html = false, .oneline = true};
    struct buf s = {0};
    buf_str(&s, "");
    enum status st = expand_range(&x, t->data + 9, nl, &s);
    if (st == ST_OK)
        st = mail_expand(nl + 2, vars, false, text);
    const struct embed_file *h = template_file(name, "html");
    if (st == ST_OK && h != NULL)
        st = mail_expand(h->data, vars, true, html);
    if (st != ST_OK) {
        free(s.data);
        free(*text);
        free(*html);
        *text = *html = NULL;
        return st;
    }
    *subject = s.data;
    return ST_OK;
}

enum status mail_list_unsubscribe(const char *base, const json_t *vars, char **out)
{
    *out = NULL;
    const json_t *v = json_object_get(vars, "list_unsubscribe");
    if (v == NULL)
        return ST_OK;
    const char *path = json_string_value(v);
    if (base == NULL || path == NULL || path[0] != '/')
        return ST_INVALID;
    char *url = xasprintf("%s%s", base, path);
    bool ok = validate_website(url) && !has_crlf(url) && strpbrk(url, " <>") == NULL;
    if (ok)
        *out = xasprintf("<%s>", url);
    free(url);
    return ok ? ST_OK : ST_INVALID;
}

/* ---- sending ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void mail_global_init(void)
{
    pthread_once(&curl_once, curl_start);
}

struct upload {
    const char *data;
    size_t len, at;
};

static size_t read_cb(char *to, size_t size, size_t nitems, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nitems;
    if (n > u->len - u->at)
        n = u->len - u->at;
    memcpy(to, u->data + u->at, n);
    u->at += n;
    return n;
}

/* The reason, one line, with any occurrence of the password masked. */
static void reason(char error[MAIL_ERROR_MAX], const char *password, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reason(char error[MAIL_ERROR_MAX], const char *password, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, MAIL_ERROR_MAX, fmt, ap);
    va_end(ap);
    for (char *p = error; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    size_t pn = password ? strlen(password) : 0;
    for (char *p = pn ? strstr(error, password) : NULL; p != NULL; p = strstr(p + pn, password))
        memset(p, '*', pn);
}

/* What a failed transfer means: a 5xx answer to the message (the recipient
 * or the content refused) will not pass; anything else may: no connection, a
 * timeout, a 4xx answer, and also refused credentials or TLS (the
 * configuration's fault, not the message's: it waits for a fix). */
static enum status failure(CURLcode rc, long code)
{
    if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED || rc == CURLE_AUTH_ERROR)
        return ST_RETRY;
    return code >= 500 && code <= 599 ? ST_INVALID : ST_RETRY;
}

static void set_options(CURL *c, const struct mail_smtp *s, const char *mail_from,
                        struct curl_slist *rcpt, struct upload *u, char *errbuf)
{
    bool tls = strncmp(s->url, "smtps://", 8) == 0;
    bool auth = s->user != NULL && s->user[0] != '\0';
    curl_easy_setopt(c, CURLOPT_URL, s->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     s->connect_timeout_s > 0 ? s->connect_timeout_s : 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, s->timeout_s > 0 ? s->timeout_s : 60L);
    /* A password never travels in clear: with credentials, STARTTLS is
     * required; without, it is used when the server offers it. */
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(tls || auth ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (auth) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
}

enum status mail_send(const struct mail_smtp *s, const char *from, const char *to,
                      const char *message, size_t len, char error[MAIL_ERROR_MAX])
{
    enum status st = ST_INVALID;
    char *from_name = NULL, *from_addr = NULL, *to_name = NULL, *to_addr = NULL;
    char *mail_from = NULL, *rcpt_to = NULL;
    struct curl_slist *rcpt = NULL;
    CURL *c = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    error[0] = '\0';
    if (!split_mailbox(from, &from_name, &from_addr) || !split_mailbox(to, &to_name, &to_addr)) {
        reason(error, NULL, "not an email address");
        goto out;
    }
    if (s->url == NULL ||
        (strncmp(s->url, "smtp://", 7) != 0 && strncmp(s->url, "smtps://", 8) != 0)) {
        st = ST_RETRY;
        reason(error, NULL, "the SMTP URL is not smtp:// or smtps://");
        goto out;
    }
    mail_global_init();
    mail_from = xasprintf("<%s>", from_addr);
    rcpt_to = xasprintf("<%s>", to_addr);
    rcpt = curl_slist_append(NULL, rcpt_to);
    c = curl_easy_init();
    if (c == NULL || rcpt == NULL)
        abort();
    struct upload u = {.data = message, .len = len, .at = 0};
    set_options(c, s, mail_from, rcpt, &u, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        st = ST_OK;
        goto out;
    }
    st = failure(rc, code);
    reason(error, s->password, "smtp: %s (%ld): %s", curl_easy_strerror(rc), code,
           errbuf[0] ? errbuf : "-");
out:
    if (c != NULL)
        curl_easy_cleanup(c);
    curl_slist_free_all(rcpt);
    free(mail_from);
    free(rcpt_to);
    free(from_name);
    free(from_addr);
    free(to_name);
    free(to_addr);
    return st;
}
