/* Strict reading of bodies and query strings. The validator is pure so it can
 * be unit-tested; the "or reply" wrappers turn its findings into problems. */
#include "input.h"

#include "problem.h"
#include "util.h"
#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void input_error(json_t *errors, const char *pointer, const char *parameter, enum error_code code,
                 bool lang_pt)
{
    if (json_array_size(errors) >= INPUT_MAX_ERRORS)
        return; /* enough to fix; a huge body must not make a huge answer */
    json_t *e = json_pack("{s:s, s:s}", "code", error_code_name(code), "message",
                          error_code_message(code, lang_pt));
    if (pointer != NULL)
        json_object_set_new(e, "pointer", json_string(pointer));
    else
        json_object_set_new(e, "parameter", json_string(parameter ? parameter : ""));
    json_array_append_new(errors, e);
}

/* Appends name to a JSON Pointer, escaping '~' and '/' (RFC 6901). */
static char *pointer_join(const char *base, const char *name)
{
    size_t n = strlen(base), len = strlen(name);
    char *out = xmalloc(n + 2 * len + 2);
    memcpy(out, base, n);
    char *p = out + n;
    *p++ = '/';
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '~' || name[i] == '/') {
            *p++ = '~';
            *p++ = name[i] == '~' ? '0' : '1';
        } else {
            *p++ = name[i];
        }
    }
    *p = '\0';
    return out;
}

bool input_is_timestamp(const char *s)
{
    /* YYYY-MM-DDTHH:MM:SS, optional .fraction, Z */
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i;
    for (i = 0; shape[i]; i++) {
        if (s[i] == '\0')
            return false;
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return false;
    }
    if (s[i] == '.') {
        size_t start = ++i;
        while (isdigit((unsigned char)s[i]))
            i++;
        if (i == start || i - start > 6)
            return false;
    }
    if (strcmp(s + i, "Z") != 0)
        return false;
    int mon = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
    int hour = (s[11] - '0') * 10 + (s[12] - '0'), min = (s[14] - '0') * 10 + (s[15] - '0');
    int sec = (s[17] - '0') * 10 + (s[18] - '0');
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1 || mon < 1 || mon > 12)
        return false;
    int last = days[mon - 1] + (mon == 2 && leap ? 1 : 0);
    return day >= 1 && day <= last && hour <= 23 && min <= 59 && sec <= 59;
}

static bool type_matches(enum field_type type, const json_t *v)
{
    switch (type) {
    case FIELD_INTEGER:
        return json_is_integer(v);
    case FIELD_BOOLEAN:
        return json_is_boolean(v);
    case FIELD_OBJECT:
        return json_is_object(v);
    case FIELD_ARRAY:
        return json_is_array(v);
    default:
        return json_is_string(v);
    }
}

static bool in_values(const char *const *values, const char *s)
{
    for (; values && *values; values++)
        if (strcmp(*values, s) == 0)
            return true;
    return false;
}

/* A FIELD_STRING without a check is human-readable text: refused for control,
 * bidi or zero-width characters or blankness, else replaced in place by its
 * trimmed NFC form (validate_text), so what is stored is the normalized value.
 * A string with a check is a code, an address or a number: the check rules. */
static enum error_code text_rule(const json_t *v, const struct field *f, enum field_type t)
{
    if (t != FIELD_STRING || f->valid != NULL)
        return ERR_NONE;
    char *normalized = NULL;
    enum error_code code = validate_text(json_string_value(v), &normalized);
    if (normalized != NULL && strcmp(normalized, json_string_value(v)) != 0)
        json_string_set((json_t *)v, normalized);
    free(normalized);
    return code;
}

struct vstate {
    enum input_mode mode;
    unsigned role;
    bool pt;
    json_t *errors;
};

static void validate_object(const json_t *obj, const struct field *fields, const char *ptr,
                            enum input_mode mode, struct vstate *vs);

/* Checks a value of type t (a scalar, or an object/array described by f). */
static void validate_value(const json_t *v, const struct field *f, enum field_type t,
                           const char *ptr, struct vstate *vs)
{
    if (!type_matches(t, v)) {
        input_error(vs->errors, ptr, NULL, ERR_TYPE, vs->pt);
        return;
    }
    enum error_code code = ERR_NONE;
    /* text_rule first: it may replace the string with its normalized form */
    if ((t == FIELD_STRING || t == FIELD_ENUM || t == FIELD_UUID || t == FIELD_TIMESTAMP) &&
        (code = text_rule(v, f, t)) == ERR_NONE) {
        const char *s = json_string_value(v);
        long long len = (long long)util_utf8_length(s);
        if (t == FIELD_UUID && !util_is_uuid(s))
            code = ERR_FORMAT;
        else if (t == FIELD_TIMESTAMP && !input_is_timestamp(s))
            code = ERR_FORMAT;
        else if (t == FIELD_ENUM && !in_values(f->values, s))
            code = ERR_ENUM;
        else if (t == FIELD_STRING && len < f->min)
            code = ERR_TOO_SHORT;
        else if (t == FIELD_STRING && f->max > 0 && len > f->max)
            code = ERR_TOO_LONG;
    } else if (t == FIELD_INTEGER) {
        long long n = json_integer_value(v);
        if (n < f->min)
            code = ERR_TOO_SMALL;
        else if (f->max != 0 && n > f->max)
            code = ERR_TOO_LARGE;
    } else if (t == FIELD_ARRAY) {
        long long n = (long long)json_array_size(v);
        if (n < f->min)
            input_error(vs->errors, ptr, NULL, ERR_TOO_FEW, vs->pt);
        if (f->max > 0 && n > f->max) {
            input_error(vs->errors, ptr, NULL, ERR_TOO_MANY, vs->pt);
            return; /* the items of an oversized array are not worth checking */
        }
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item)
        {
            if (json_array_size(vs->errors) >= INPUT_MAX_ERRORS)
                break;
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            char *p = pointer_join(ptr, idx);
            if (f->item_type == FIELD_OBJECT) {
                if (!json_is_object(item))
                    input_error(vs->errors, p, NULL, ERR_TYPE, vs->pt);
                else
                    validate_object(item, f->fields, p, INPUT_CREATE, vs);
            } else {
                struct field item_field = *f;
                item_field.min = 0;
                item_field.max = 0;
                validate_value(item, &item_field, f->item_type, p, vs);
            }
            free(p);
        }
        return;
    } else if (t == FIELD_OBJECT) {
        validate_object(v, f->fields, ptr, vs->mode == INPUT_PATCH ? INPUT_PATCH : INPUT_CREATE,
                        vs);
        return;
    }
    if (code == ERR_NONE && f->valid != NULL && t == FIELD_STRING &&
        (strlen(json_string_value(v)) != json_string_length(v) || !f->valid(json_string_value(v))))
        code = f->code;
    if (code != ERR_NONE)
        input_error(vs->errors, ptr, NULL, code, vs->pt);
}

static const struct field *find_field(const struct field *fields, const char *name)
{
    for (const struct field *f = fields; f && f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static void validate_object(const json_t *obj, const struct field *fields, const char *ptr,
                            enum input_mode mode, struct vstate *vs)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (json_array_size(vs->errors) >= INPUT_MAX_ERRORS)
            return;
        char *p = pointer_join(ptr, key);
        const struct field *f = find_field(fields, key);
        if (f == NULL)
            input_error(vs->errors, p, NULL, ERR_UNKNOWN_FIELD, vs->pt);
        else if (f->writers != 0 && (f->writers & vs->role) == 0)
            input_error(vs->errors, p, NULL, ERR_NOT_WRITABLE, vs->pt);
        else if (json_is_null(v) && !((f->flags & FIELD_NULLABLE) && vs->mode == INPUT_PATCH))
            input_error(vs->errors, p, NULL, ERR_NOT_NULL, vs->pt);
        else if (!json_is_null(v))
            validate_value(v, f, f->type, p, vs);
        free(p);
    }
    if (mode != INPUT_CREATE)
        return;
    for (const struct field *f = fields; f && f->name; f++) {
        bool writable = f->writers == 0 || (f->writers & vs->role) != 0;
        if ((f->flags & FIELD_REQUIRED) && writable && json_object_get(obj, f->name) == NULL) {
            char *p = pointer_join(ptr, f->name);
            input_error(vs->errors, p, NULL, ERR_REQUIRED, vs->pt);
            free(p);
        }
    }
}

bool input_validate(const json_t *obj, const struct field *fields, enum input_mode mode,
                    unsigned role, bool lang_pt, json_t *errors)
{
    struct vstate vs = {.mode = mode, .role = role, .pt = lang_pt, .errors = errors};
    size_t before = json_array_size(errors);
    validate_object(obj, fields, "", mode, &vs);
    return json_array_size(errors) == before;
}

/* True when the Content-Type's media type (before any ';') is the given one:
 * "application/json ; charset=utf-8" is, "application/json garbage" is not. */
static bool media_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (ct == NULL || strncasecmp(ct, want, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

bool input_json_media(const struct _u_request *req, enum input_mode mode)
{
    const char *ct = u_map_get_case(req->map_header, "Content-Type");
    return media_type_is(ct, "application/json") ||
           (mode == INPUT_PATCH && media_type_is(ct, "application/merge-patch+json"));
}

static int send_validation(struct _u_response *resp, struct req_ctx *ctx, json_t *errors)
{
    return problem_send(resp, ctx, PROBLEM_VALIDATION_FAILED, PROBLEM_NO_DETAIL,
                        json_pack("{s:o}", "errors", errors));
}

json_t *input_body(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx,
                   const struct field *fields, enum input_mode mode, unsigned role, bool optional)
{
    if (req->binary_body_length == 0 && optional)
        return json_object();
    if (!input_json_media(req, mode)) {
        problem_send(resp, ctx, PROBLEM_UNSUPPORTED_MEDIA_TYPE, PROBLEM_NO_DETAIL, NULL);
        return NULL;
    }
    json_error_t err;
    json_t *body =
        json_loadb(req->binary_body, req->binary_body_length, JSON_REJECT_DUPLICATES, &err);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        problem_send(resp, ctx, PROBLEM_INVALID_REQUEST,
                     (struct problem_text){"The body is not a well-formed JSON object.",
                                           "O corpo não é um objeto JSON bem formado."},
                     NULL);
        return NULL;
    }
    json_t *errors = json_array();
    if (!input_validate(body, fields, mode, role, ctx->lang_pt, errors)) {
        json_decref(body);
        send_validation(resp, ctx, errors);
        return NULL;
    }
    json_decref(errors);
    return body;
}

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

char *input_percent_decode(const char *s, size_t len, bool plus_is_space)
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

bool input_parse_query(const char *raw, struct req_ctx *ctx, char **bad)
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
            char *key = input_percent_decode(p, klen, true);
            char *val = eq ? input_percent_decode(eq + 1, len - klen - 1, true) : xstrdup("");
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

int input_reject_parameter(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                           enum error_code code)
{
    json_t *errors = json_array();
    input_error(errors, NULL, name, code, ctx->lang_pt);
    return problem_send(resp, ctx, PROBLEM_INVALID_REQUEST,
                        (struct problem_text){"A query parameter is invalid: see errors.",
                                              "Um parâmetro é inválido: ver errors."},
                        json_pack("{s:o}", "errors", errors));
}

static bool bad_parameter(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                          enum error_code code)
{
    input_reject_parameter(resp, ctx, name, code);
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

bool input_page(struct _u_response *resp, struct req_ctx *ctx, const struct page_sort *sorts,
                size_t nsorts, struct page_req *out)
{
    memset(out, 0, sizeof *out);
    out->limit = 50;
    const char *limit = api_query(ctx, "limit");
    if (limit != NULL && !parse_limit(limit, &out->limit))
        return bad_parameter(resp, ctx, "limit", ERR_FORMAT);
    const char *sort = api_query(ctx, "sort");
    if (!page_sort_parse(sort ? sort : "-created_at", sorts, nsorts, out))
        return bad_parameter(resp, ctx, "sort", ERR_ENUM);
    const char *total = api_query(ctx, "include_total");
    if (total != NULL && strcmp(total, "true") != 0 && strcmp(total, "false") != 0)
        return bad_parameter(resp, ctx, "include_total", ERR_FORMAT);
    out->include_total = total != NULL && strcmp(total, "true") == 0;
    const char *since = api_query(ctx, "updated_since");
    if (since != NULL && !input_is_timestamp(since))
        return bad_parameter(resp, ctx, "updated_since", ERR_FORMAT);
    out->updated_since = since ? xstrdup(since) : NULL;
    const char *cursor = api_query(ctx, "cursor");
    if (cursor != NULL && !page_cursor_decode(cursor, out)) {
        page_req_cleanup(out);
        return bad_parameter(resp, ctx, "cursor", ERR_FORMAT);
    }
    return true;
}

bool input_filter_list(struct _u_response *resp, struct req_ctx *ctx, const char *name,
                       bool (*ok)(const char *item), json_t **out)
{
    *out = NULL;
    const char *v = api_query(ctx, name);
    if (v == NULL)
        return true;
    if (util_utf8_length(v) > INPUT_MAX_FILTER) /* the document's maxLength for every filter */
        return bad_parameter(resp, ctx, name, ERR_TOO_LONG);
    json_t *list = json_array();
    const char *p = v;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = xstrndup(p, len);
        bool good = len > 0 && (ok == NULL || ok(item));
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

void input_merge_patch(json_t *target, const json_t *patch)
{
    if (target == patch) { /* removing members while walking them: work from a copy */
        json_t *copy = json_deep_copy(patch);
        input_merge_patch(target, copy);
        json_decref(copy);
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)patch, key, value)
    {
        json_t *current = json_object_get(target, key);
        if (json_is_null(value))
            json_object_del(target, key);
        else if (json_is_object(value) && json_is_object(current))
            input_merge_patch(current, value);
        else if (json_is_object(value)) {
            json_t *fresh = json_object(); /* patching a non-object starts from {} */
            input_merge_patch(fresh, value);
            json_object_set_new(target, key, fresh);
        } else {
            json_object_set(target, key, value);
        }
    }
}
