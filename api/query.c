/* Query strings and list parameters (query.h). */
#include "query.h"

#include "problem.h"
#include "schema.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *query_percent_decode(const char *s, size_t len, bool plus_is_space)
{
    char *out = xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!util_valid_utf8(out, o)) {
        free(out);
        return NULL;
    }
    return out;
}

bool query_parse(const char *raw, struct req_ctx *ctx, char **bad)
{
    *bad = NULL;
    ctx->nquery = 0;
    if (raw == NULL || *raw == '\0')
        return true;
    const char *p = raw;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            char *key = query_percent_decode(p, klen, true);
            char *val = eq ? query_percent_decode(eq + 1, len - klen - 1, true) : xstrdup("");
            if (key == NULL || val == NULL || *key == '\0') {
                *bad = key ? key : xstrndup(p, klen);
                free(key == *bad ? NULL : key);
                free(val);
                return false;
            }
            if (api_query(ctx, key) != NULL || ctx->nquery == API_MAX_QUERY) {
                free(val);
                *bad = key;
                return false;
            }
            ctx->query[ctx->nquery].name = key;
            ctx->query[ctx->nquery].value = val;
            ctx->nquery++;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return true;
}

int query_reject(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                 enum error_code code)
{
    json_t *errors = json_array();
    schema_error(errors, NULL, name, code, ctx->lang_pt);
    return problem_send(resp, ctx, PROBLEM_INVALID_REQUEST,
                        (struct problem_text){"A query parameter is invalid: see errors.",
                                              "Um parâmetro é inválido: ver errors."},
                        json_pack("{s:o}", "errors", errors));
}

static bool bad_parameter(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                          enum error_code code)
{
    query_reject(resp, ctx, name, code);
    return false;
}

static bool parse_limit(const char *s, int *out)
{
    char *end = NULL;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || !isdigit((unsigned char)s[0]) || n < 1 || n > 200)
        return false;
    *out = (int)n;
    return true;
}

bool query_limit(struct _u_response *resp, struct req_ctx *ctx, int *out)
{
    *out = PAGE_DEFAULT_LIMIT;
    const char *limit = api_query(ctx, "limit");
    if (limit != NULL && !parse_limit(limit, out))
        return bad_parameter(resp, ctx, "limit", ERR_FORMAT);
    return true;
}

bool query_page(struct _u_response *resp, struct req_ctx *ctx, const struct page_sort *sorts,
                size_t nsorts, const char *default_sort, struct page_req *out)
{
    memset(out, 0, sizeof *out);
    if (!query_limit(resp, ctx, &out->limit))
        return false;
    const char *sort = api_query(ctx, "sort");
    if (!page_sort_parse(sort           ? sort
                         : default_sort ? default_sort
                                        : "-created_at",
                         sorts, nsorts, out))
        return bad_parameter(resp, ctx, "sort", ERR_ENUM);
    const char *total = api_query(ctx, "include_total");
    if (total != NULL && strcmp(total, "true") != 0 && strcmp(total, "false") != 0)
        return bad_parameter(resp, ctx, "include_total", ERR_FORMAT);
    out->include_total = total != NULL && strcmp(total, "true") == 0;
    const char *since = api_query(ctx, "updated_since");
    if (since != NULL && !schema_is_timestamp(since))
        return bad_parameter(resp, ctx, "updated_since", ERR_FORMAT);
    out->updated_since = since ? xstrdup(since) : NULL;
    const char *cursor = api_query(ctx, "cursor");
    if (cursor != NULL && !page_cursor_decode(cursor, out)) {
        page_req_cleanup(out);
        return bad_parameter(resp, ctx, "cursor", ERR_FORMAT);
    }
    return true;
}

bool query_list(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                bool (*ok)(const char *item), const struct machine *states, json_t **out)
{
    *out = NULL;
    const char *v = api_query(ctx, name);
    if (v == NULL)
        return true;
    if (util_utf8_length(v) > QUERY_MAX_FILTER) /* the document's maxLength for every filter */
        return bad_parameter(resp, ctx, name, ERR_TOO_LONG);
    json_t *list = json_array();
    const char *p = v;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = xstrndup(p, len);
        bool good = len > 0 && (ok == NULL || ok(item)) &&
                    (states == NULL || machine_state(states, item) >= 0);
        if (good)
            json_array_append_new(list, json_string(item));
        free(item);
        if (!good) {
            json_decref(list);
            return bad_parameter(resp, ctx, name, ERR_FORMAT);
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    *out = list;
    return true;
}
