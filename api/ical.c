/* The iCalendar writer of ical.h: content lines built whole, then folded
 * into physical lines of at most 75 octets (a continuation's leading space
 * included), cut only before the first byte of a UTF-8 character. */
#include "ical.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_OCTETS 75
#define CRLF "\r\n"

static void append(struct ical *c, const char *bytes, size_t n)
{
    util_append(&c->buf, &c->len, &c->cap, bytes, n);
}

/* Where a physical line from `from` may end, at most `max` octets on: never
 * inside a UTF-8 character (backs off over at most three continuation
 * bytes, so bytes that are not UTF-8 still move on). */
static size_t cut_at(const char *line, size_t len, size_t from, size_t max)
{
    size_t cut = from + max;
    if (cut >= len)
        return len;
    for (int back = 0; back < 3 && ((unsigned char)line[cut] & 0xC0) == 0x80; back++)
        cut--;
    return cut;
}

/* Appends one content line, folded, with its CRLF. */
static void fold(struct ical *c, const char *line)
{
    size_t len = strlen(line);
    size_t pos = cut_at(line, len, 0, LINE_MAX_OCTETS);
    append(c, line, pos);
    append(c, CRLF, 2);
    while (pos < len) {
        size_t next = cut_at(line, len, pos, LINE_MAX_OCTETS - 1);
        append(c, " ", 1);
        append(c, line + pos, next - pos);
        append(c, CRLF, 2);
        pos = next;
    }
}

/* NAME:value, value as given (a token, a time, a number). */
static void property(struct ical *c, const char *name, const char *value)
{
    char *line = xasprintf("%s:%s", name, value);
    fold(c, line);
    free(line);
}

/* NAME:value, value a TEXT escaped; nothing when value is NULL. */
static void text_property(struct ical *c, const char *name, const char *value)
{
    if (value == NULL)
        return;
    char *escaped = ical_escape(value);
    property(c, name, escaped);
    free(escaped);
}

char *ical_escape(const char *text)
{
    size_t n = strlen(text);
    char *out = xmalloc(2 * n + 1), *o = out;
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\\' || ch == ';' || ch == ',') {
            *o++ = '\\';
            *o++ = (char)ch;
        } else if (ch == '\n' || ch == '\r') {
            if (ch == '\r' && p[1] == '\n')
                p++;
            *o++ = '\\';
            *o++ = 'n';
        } else if ((ch < 0x20 && ch != '\t') || ch == 0x7F) {
            continue;
        } else {
            *o++ = (char)ch;
        }
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

bool ical_utc(const char *rfc3339, char out[ICAL_UTC_LEN + 1])
{
    out[0] = '\0';
    const char *s = rfc3339;
    /* "YYYY-MM-DDTHH:MM:SS": digits where the date and time are, the
     * punctuation between them, then an optional fraction and Z */
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
    if (strcmp(rest, "Z") != 0)
        return false;
    memcpy(out, s, 4);
    memcpy(out + 4, s + 5, 2);
    memcpy(out + 6, s + 8, 2);
    out[8] = 'T';
    memcpy(out + 9, s + 11, 2);
    memcpy(out + 11, s + 14, 2);
    memcpy(out + 13, s + 17, 2);
    out[15] = 'Z';
    out[16] = '\0';
    return true;
}

void ical_begin(struct ical *c, const char *calendar_name)
{
    *c = (struct ical){0};
    property(c, "BEGIN", "VCALENDAR");
    property(c, "VERSION", "2.0");
    property(c, "PRODID", "-//.PT//Parceria//PT");
    property(c, "CALSCALE", "GREGORIAN");
    property(c, "METHOD", "PUBLISH");
    text_property(c, "X-WR-CALNAME", calendar_name);
}

static bool status_known(const char *status)
{
    return status != NULL && (strcmp(status, "CONFIRMED") == 0 ||
                              strcmp(status, "TENTATIVE") == 0 || strcmp(status, "CANCELLED") == 0);
}

bool ical_event(struct ical *c, const struct ical_event *e)
{
    char stamp[ICAL_UTC_LEN + 1], modified[ICAL_UTC_LEN + 1], start[ICAL_UTC_LEN + 1],
        end[ICAL_UTC_LEN + 1], sequence[16];
    if (e->uid == NULL || e->summary == NULL || !status_known(e->status) || e->sequence < 0 ||
        !ical_utc(e->dtstamp, stamp) || !ical_utc(e->last_modified, modified) ||
        !ical_utc(e->starts_at, start) || !ical_utc(e->ends_at, end))
        return false;
    snprintf(sequence, sizeof sequence, "%d", e->sequence);
    property(c, "BEGIN", "VEVENT");
    text_property(c, "UID", e->uid);
    property(c, "DTSTAMP", stamp);
    property(c, "LAST-MODIFIED", modified);
    property(c, "DTSTART", start);
    property(c, "DTEND", end);
    property(c, "SEQUENCE", sequence);
    property(c, "STATUS", e->status);
    text_property(c, "SUMMARY", e->summary);
    text_property(c, "LOCATION", e->location);
    text_property(c, "DESCRIPTION", e->description);
    text_property(c, "CATEGORIES", e->category);
    property(c, "END", "VEVENT");
    return true;
}

char *ical_end(struct ical *c, size_t *len)
{
    property(c, "END", "VCALENDAR");
    char *text = c->buf;
    if (len != NULL)
        *len = c->len;
    *c = (struct ical){0};
    return text;
}

void ical_cleanup(struct ical *c)
{
    free(c->buf);
    *c = (struct ical){0};
}
