/* The schema validator of schema.h. Strings without a rule of their own are
 * human-readable text: validate_text refuses invisible characters and they
 * are replaced in place by their trimmed NFC form. */
#include "schema.h"

#include "util.h"
#include "validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void schema_error(json_t *errors, const char *pointer, const char *parameter, enum error_code code,
                  bool lang_pt)
{
    if (json_array_size(errors) >= SCHEMA_MAX_ERRORS)
        return; /* enough to fix; a huge body must not make a huge answer */
    json_t *e = json_pack("{s:s, s:s}", "code", error_code_name(code), "message",
                          error_code_message(code, lang_pt));
    if (pointer != NULL)
        json_object_set_new(e, "pointer", json_string(pointer));
    else
        json_object_set_new(e, "parameter", json_string(parameter ? parameter : ""));
    json_array_append_new(errors, e);
}

bool schema_issues(json_t *errors, const struct field_issue *issues, size_t n, bool lang_pt)
{
    for (size_t i = 0; i < n; i++)
        schema_error(errors, issues[i].pointer, NULL, issues[i].code, lang_pt);
    return n == 0;
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

bool schema_is_timestamp(const char *s)
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
    enum error_code code = (f->flags & FIELD_LINES)
                               ? validate_text_lines(json_string_value(v), &normalized)
                               : validate_text(json_string_value(v), &normalized);
    if (normalized != NULL && strcmp(normalized, json_string_value(v)) != 0)
        json_string_set((json_t *)v, normalized);
    free(normalized);
    return code;
}

struct vstate {
    enum schema_mode mode;
    unsigned role;
    bool pt;
    json_t *errors;
};

static void validate_object(const json_t *obj, const struct field *fields, const char *ptr,
                            enum schema_mode mode, struct vstate *vs);

/* Checks a value of type t (a scalar, or an object/array described by f). */
static void validate_value(const json_t *v, const struct field *f, enum field_type t,
                           const char *ptr, struct vstate *vs)
{
    if (!type_matches(t, v)) {
        schema_error(vs->errors, ptr, NULL, ERR_TYPE, vs->pt);
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
        else if (t == FIELD_TIMESTAMP && !schema_is_timestamp(s))
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
            schema_error(vs->errors, ptr, NULL, ERR_TOO_FEW, vs->pt);
        if (f->max > 0 && n > f->max) {
            schema_error(vs->errors, ptr, NULL, ERR_TOO_MANY, vs->pt);
            return; /* the items of an oversized array are not worth checking */
        }
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item)
        {
            if (json_array_size(vs->errors) >= SCHEMA_MAX_ERRORS)
                break;
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            char *p = pointer_join(ptr, idx);
            if (f->item_type == FIELD_OBJECT) {
                if (!json_is_object(item))
                    schema_error(vs->errors, p, NULL, ERR_TYPE, vs->pt);
                else
                    validate_object(item, f->fields, p, SCHEMA_CREATE, vs);
            } else {
                struct field item_field = *f;
                item_field.min = f->item_min;
                item_field.max = f->item_max;
                validate_value(item, &item_field, f->item_type, p, vs);
            }
            free(p);
        }
        return;
    } else if (t == FIELD_OBJECT && (f->flags & FIELD_OPEN)) {
        return; /* the caller checks its members */
    } else if (t == FIELD_OBJECT) {
        validate_object(v, f->fields, ptr, vs->mode == SCHEMA_PATCH ? SCHEMA_PATCH : SCHEMA_CREATE,
                        vs);
        return;
    }
    if (code == ERR_NONE && f->valid != NULL && t == FIELD_STRING &&
        (strlen(json_string_value(v)) != json_string_length(v) || !f->valid(json_string_value(v))))
        code = f->code;
    if (code != ERR_NONE)
        schema_error(vs->errors, ptr, NULL, code, vs->pt);
}

static const struct field *find_field(const struct field *fields, const char *name)
{
    for (const struct field *f = fields; f && f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static void validate_object(const json_t *obj, const struct field *fields, const char *ptr,
                            enum schema_mode mode, struct vstate *vs)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        if (json_array_size(vs->errors) >= SCHEMA_MAX_ERRORS)
            return;
        char *p = pointer_join(ptr, key);
        const struct field *f = find_field(fields, key);
        if (f == NULL)
            schema_error(vs->errors, p, NULL, ERR_UNKNOWN_FIELD, vs->pt);
        else if (f->writers != 0 && (f->writers & vs->role) == 0)
            schema_error(vs->errors, p, NULL, ERR_NOT_WRITABLE, vs->pt);
        else if (json_is_null(v) && !((f->flags & FIELD_NULLABLE) && vs->mode == SCHEMA_PATCH) &&
                 !((f->flags & FIELD_NULL_CREATE) && vs->mode == SCHEMA_CREATE))
            schema_error(vs->errors, p, NULL, ERR_NOT_NULL, vs->pt);
        else if (!json_is_null(v))
            validate_value(v, f, f->type, p, vs);
        free(p);
    }
    if (mode != SCHEMA_CREATE)
        return;
    for (const struct field *f = fields; f && f->name; f++) {
        bool writable = f->writers == 0 || (f->writers & vs->role) != 0;
        if ((f->flags & FIELD_REQUIRED) && writable && json_object_get(obj, f->name) == NULL) {
            char *p = pointer_join(ptr, f->name);
            schema_error(vs->errors, p, NULL, ERR_REQUIRED, vs->pt);
            free(p);
        }
    }
}

bool schema_validate(const json_t *obj, const struct field *fields, enum schema_mode mode,
                     unsigned role, bool lang_pt, json_t *errors)
{
    struct vstate vs = {.mode = mode, .role = role, .pt = lang_pt, .errors = errors};
    size_t before = json_array_size(errors);
    validate_object(obj, fields, "", mode, &vs);
    return json_array_size(errors) == before;
}

/* True when the Content-Type's media type (before any ';') is the given one:
 * "application/json ; charset=utf-8" is, "application/json garbage" is not. */
