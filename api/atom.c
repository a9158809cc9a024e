/* The Atom writer of atom.h: elements appended whole, every value through
 * atom_escape, so no text a registrar wrote can open or close markup (a
 * "<script>", an "&", a "]]>" all arrive as text). */
#include "atom.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATOM_NS "http://www.w3.org/2005/Atom"

static void append(struct atom *a, const char *bytes, size_t n)
{
    util_append(&a->buf, &a->len, &a->cap, bytes, n);
}

static void put(struct atom *a, const char *s)
{
    append(a, s, strlen(s));
}

static void put_escaped(struct atom *a, const char *s)
{
    char *e = atom_escape(s);
    put(a, e);
    free(e);
}

/* The length of the UTF-8 character at p (1 to 4) and its code point, or 0
 * when p holds no well-formed character (overlong, surrogate, truncated). */
static size_t utf8_char(const unsigned char *p, unsigned *cp)
{
    size_t n;
    unsigned c;
    if (p[0] < 0x80)
        return *cp = p[0], 1;
    if ((p[0] & 0xE0) == 0xC0)
        n = 2, c = p[0] & 0x1Fu;
    else if ((p[0] & 0xF0) == 0xE0)
        n = 3, c = p[0] & 0x0Fu;
    else if ((p[0] & 0xF8) == 0xF0)
        n = 4, c = p[0] & 0x07u;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    static const unsigned least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < least[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* Whether XML 1.0 may carry the character (C1 controls left out too:
 * allowed, but no reader wants them). */
static bool xml_char(unsigned c)
{
    if (c < 0x20)
        return c == '\t' || c == '\n' || c == '\r';
    return !(c >= 0x7F && c <= 0x9F) && c != 0xFFFE && c != 0xFFFF;
}

char *atom_escape(const char *text)
{
    size_t n = strlen(text);
    char *out = xmalloc(6 * n + 1), *o = out; /* "&quot;" is the longest */
    const unsigned char *p = (const unsigned char *)text;
    while (*p != '\0') {
        unsigned c = 0;
        size_t len = utf8_char(p, &c);
        if (len == 0) { /* not UTF-8: the byte is dropped */
            p++;
            continue;
        }
        const char *rep = c == '&'    ? "&amp;"
                          : c == '<'  ? "&lt;"
                          : c == '>'  ? "&gt;"
                          : c == '"'  ? "&quot;"
                          : c == '\'' ? "&#39;"
                          : c == '\r' ? "&#13;"
                                      : NULL;
        if (rep != NULL) {
            size_t r = strlen(rep);
            memcpy(o, rep, r);
            o += r;
        } else if (xml_char(c)) {
            memcpy(o, p, len);
            o += len;
        }
        p += len;
    }
    *o = '\0';
    return out;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool atom_time_valid(const char *s)
{
    if (s == NULL || strnlen(s, 19) < 19 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
        s[7] != '-' || !digits(s + 8, 2) || s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    const char *rest = s + 19;
    if (*rest == '.') {
        size_t n = strspn(rest + 1, "0123456789");
        if (n == 0)
            return false;
        rest += 1 + n;
    }
    if (strcmp(rest, "Z") == 0)
        return true;
    return (rest[0] == '+' || rest[0] == '-') && digits(rest + 1, 2) && rest[3] == ':' &&
           digits(rest + 4, 2) && rest[6] == '\0';
}

/* <name>text</name>, text escaped; nothing when text is NULL. */
static void element(struct atom *a, const char *name, const char *text)
{
    if (text == NULL)
        return;
    put(a, "<");
    put(a, name);
    put(a, ">");
    put_escaped(a, text);
    put(a, "</");
    put(a, name);
    put(a, ">\n");
}

/* <link rel="rel" href="href"/> (with a type when not NULL). */
static void put_link(struct atom *a, const char *rel, const char *type, const char *href)
{
    put(a, "<link rel=\"");
    put(a, rel);
    put(a, "\" ");
    if (type != NULL) {
        put(a, "type=\"");
        put(a, type);
        put(a, "\" ");
    }
    put(a, "href=\"");
    put_escaped(a, href);
    put(a, "\"/>\n");
}

bool atom_begin(struct atom *a, const struct atom_feed *f)
{
    *a = (struct atom){0};
    if (f->id == NULL || f->title == NULL || f->self == NULL || f->lang == NULL ||
        !atom_time_valid(f->updated))
        return false;
    put(a, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"" ATOM_NS "\" xml:lang=\"");
    put_escaped(a, f->lang);
    put(a, "\">\n");
    element(a, "id", f->id);
    element(a, "title", f->title);
    element(a, "updated", f->updated);
    put_link(a, "self", "application/atom+xml", f->self);
    return true;
}

bool atom_entry(struct atom *a, const struct atom_entry *e)
{
    if (e->id == NULL || e->title == NULL || e->author == NULL || !atom_time_valid(e->updated) ||
        (e->published != NULL && !atom_time_valid(e->published)))
        return false;
    put(a, "<entry>\n");
    element(a, "id", e->id);
    element(a, "title", e->title);
    element(a, "updated", e->updated);
    element(a, "published", e->published);
    put(a, "<author>\n");
    element(a, "name", e->author);
    put(a, "</author>\n");
    if (e->link != NULL)
        put_link(a, "alternate", NULL, e->link);
    for (size_t i = 0; i < e->ncategories; i++) {
        put(a, "<category term=\"");
        put_escaped(a, e->categories[i]);
        put(a, "\"/>\n");
    }
    if (e->summary != NULL) {
        put(a, "<summary type=\"text\">");
        put_escaped(a, e->summary);
        put(a, "</summary>\n");
    }
    if (e->content != NULL) {
        put(a, "<content type=\"text\">");
        put_escaped(a, e->content);
        put(a, "</content>\n");
    }
    put(a, "</entry>\n");
    return true;
}

char *atom_end(struct atom *a, size_t *len)
{
    put(a, "</feed>\n");
    char *text = a->buf;
    if (len != NULL)
        *len = a->len;
    *a = (struct atom){0};
    return text;
}

void atom_cleanup(struct atom *a)
{
    free(a->buf);
    *a = (struct atom){0};
}
