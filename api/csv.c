/* CSV text for the lists' exports (csv.h): the Accept negotiation, cells,
 * quoting and formula neutralization. */
#include "csv.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How well one media range of Accept matches type ("text/csv"): 3 exactly,
 * 2 as "text/ *", 1 as "* / *", 0 not at all. */
static int range_match(const char *range, size_t len, const char *type)
{
    const char *slash = strchr(type, '/');
    size_t major = (size_t)(slash - type);
    if (len == strlen(type) && strncasecmp(range, type, len) == 0)
        return 3;
    if (len == major + 2 && strncasecmp(range, type, major + 1) == 0 && range[major + 1] == '*')
        return 2;
    return len == 3 && strncmp(range, "*/*", 3) == 0 ? 1 : 0;
}

/* The quality Accept gives type (by its most specific matching range) and
 * how specific that range is. */
static void accept_quality(const char *accept, const char *type, double *q, int *exact)
{
    *q = 0;
    *exact = 0;
    for (const char *p = accept; p != NULL && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        size_t range = strcspn(p, ";,");
        while (range > 0 && p[range - 1] == ' ')
            range--;
        int m = range_match(p, range, type);
        if (m > *exact) {
            const char *qp = strstr(p, ";q=");
            if (qp == NULL || qp >= p + len)
                qp = strstr(p, "; q=");
            *q = qp != NULL && qp < p + len ? strtod(strchr(qp, '=') + 1, NULL) : 1.0;
            *exact = m;
        }
        p += len;
    }
}

bool csv_preferred(const char *accept)
{
    double q_csv, q_json;
    int exact_csv, exact_json;
    accept_quality(accept, "text/csv", &q_csv, &exact_csv);
    accept_quality(accept, "application/json", &q_json, &exact_json);
    return q_csv > 0 && (q_csv > q_json || (q_csv == q_json && exact_csv > exact_json));
}

void csv_init(struct csv *c)
{
    memset(c, 0, sizeof *c);
    c->cap = 4096;
    c->text = xmalloc(c->cap);
    c->text[0] = '\0';
}

void csv_cleanup(struct csv *c)
{
    free(c->text);
    json_decref(c->columns);
    memset(c, 0, sizeof *c);
}

static void put(struct csv *c, const char *s, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        while (c->len + n + 1 > c->cap)
            c->cap *= 2;
        c->text = xrealloc(c->text, c->cap);
    }
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->text[c->len] = '\0';
}

char *csv_cell(const json_t *value)
{
    char *text;
    if (value == NULL || json_is_null(value))
        return xstrdup("");
    if (json_is_string(value))
        text = xstrdup(json_string_value(value));
    else
        text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL) {
        char *quoted = xasprintf("'%s", text);
        free(text);
        text = quoted;
    }
    return text;
}

/* One field, quoted when it holds a comma, a quote, CR or LF (quotes doubled). */
static void put_field(struct csv *c, const char *s, bool first)
{
    if (!first)
        put(c, ",", 1);
    if (strpbrk(s, ",\"\r\n") == NULL) {
        put(c, s, strlen(s));
        return;
    }
    put(c, "\"", 1);
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        put(c, s, (size_t)(q - s) + 1);
        put(c, "\"", 1);
    }
    put(c, s, strlen(s));
    put(c, "\"", 1);
}

void csv_columns(struct csv *c, const json_t *columns)
{
    size_t i;
    json_t *name;
    json_decref(c->columns);
    c->columns = json_deep_copy(columns);
    json_array_foreach(c->columns, i, name)
    {
        char *cell = csv_cell(name);
        put_field(c, cell, i == 0);
        free(cell);
    }
    put(c, "\r\n", 2);
}

void csv_add(struct csv *c, const json_t *item)
{
    size_t i;
    json_t *name;
    if (c->columns == NULL) {
        const char *key;
        json_t *member;
        json_t *columns = json_array();
        json_object_foreach((json_t *)item, key, member)
        {
            (void)member;
            json_array_append_new(columns, json_string(key));
        }
        csv_columns(c, columns);
        json_decref(columns);
    }
    json_array_foreach(c->columns, i, name)
    {
        char *cell = csv_cell(json_object_get(item, json_string_value(name)));
        put_field(c, cell, i == 0);
        free(cell);
    }
    put(c, "\r\n", 2);
    c->rows++;
}
