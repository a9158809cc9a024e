/* The strict input validator, percent-decoding and timestamp shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "api.h"
#include "merge.h"
#include "query.h"
#include "schema.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"admin", "technical", "security", NULL};

static const struct field contact_fields[] = {
    {.name = "type", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = kinds},
    {.name = "email", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 3, .max = 254},
    {0},
};

static const struct field fields[] = {
    {.name = "name", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 10},
    {.name = "count", .type = FIELD_INTEGER, .min = 1, .max = 5},
    {.name = "registrar_id", .type = FIELD_UUID, .writers = ROLE_STAFF},
    {.name = "when", .type = FIELD_TIMESTAMP, .flags = FIELD_NULLABLE},
    {.name = "contacts",
     .type = FIELD_ARRAY,
     .item_type = FIELD_OBJECT,
     .fields = contact_fields,
     .min = 1,
     .max = 3},
    {0},
};

static json_t *run(const char *text, enum schema_mode mode, unsigned role)
{
    json_t *obj = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(obj);
    json_t *errors = json_array();
    schema_validate(obj, fields, mode, role, false, errors);
    json_decref(obj);
    return errors;
}

static void assert_error(json_t *errors, size_t i, const char *pointer, const char *code)
{
    json_t *e = json_array_get(errors, i);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "pointer")), pointer);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
}

/* An open object: only its type is checked; its members are the caller's. */
static void an_open_object_checks_its_type_only(void **state)
{
    (void)state;
    static const struct field open_fields[] = {
        {.name = "answers", .type = FIELD_OBJECT, .flags = FIELD_REQUIRED | FIELD_OPEN},
        {0},
    };
    json_t *obj = json_loads("{\"answers\":{\"anything\":[1,{\"x\":null}]}}", 0, NULL);
    json_t *errors = json_array();
    assert_true(schema_validate(obj, open_fields, SCHEMA_CREATE, ROLE_REGISTRAR, false, errors));
    json_decref(obj);
    obj = json_loads("{\"answers\":[]}", 0, NULL);
    assert_false(schema_validate(obj, open_fields, SCHEMA_CREATE, ROLE_REGISTRAR, false, errors));
    assert_error(errors, 0, "/answers", "type");
    json_decref(obj);
    json_decref(errors);
}

static void valid_body_has_no_errors(void **state)
{
    (void)state;
    json_t *e = run("{\"name\":\"Ana\",\"count\":2,\"when\":\"2026-10-14T09:00:00Z\","
                    "\"contacts\":[{\"type\":\"admin\",\"email\":\"a@b.pt\"}]}",
                    SCHEMA_CREATE, ROLE_REGISTRAR);
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
}

static void every_violation_is_reported(void **state)
{
    (void)state;
    json_t *e =
        run("{\"count\":9,\"extra\":1,\"contacts\":[{\"type\":\"boss\",\"email\":\"x@y.pt\"},"
            "{\"email\":7}]}",
            SCHEMA_CREATE, ROLE_REGISTRAR);
    assert_int_equal(json_array_size(e), 6);
    assert_error(e, 0, "/count", "too_large");
    assert_error(e, 1, "/extra", "unknown_field");
    assert_error(e, 2, "/contacts/0/type", "enum");
    assert_error(e, 3, "/contacts/1/email", "type");
    assert_error(e, 4, "/contacts/1/type", "required");
    assert_error(e, 5, "/name", "required");
    json_decref(e);
}

static void field_a_role_may_not_write_is_refused(void **state)
{
    (void)state;
    json_t *e = run("{\"name\":\"a\",\"registrar_id\":\"6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c10\"}",
                    SCHEMA_CREATE, ROLE_REGISTRAR);
    assert_int_equal(json_array_size(e), 1);
    assert_error(e, 0, "/registrar_id", "not_writable");
    json_decref(e);
    e = run("{\"name\":\"a\",\"registrar_id\":\"6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c10\"}",
            SCHEMA_CREATE, ROLE_STAFF);
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
}

static void patch_skips_required_but_checks_null(void **state)
{
    (void)state;
    json_t *e = run("{\"when\":null,\"count\":null}", SCHEMA_PATCH, ROLE_STAFF);
    assert_int_equal(json_array_size(e), 1);
    assert_error(e, 0, "/count", "not_null");
    json_decref(e);
}

static void length_counts_characters_not_bytes(void **state)
{
    (void)state;
    json_t *e = run("{\"name\":\"çãõçãõçãõç\"}", SCHEMA_CREATE, 0);
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
    e = run("{\"name\":\"çãõçãõçãõçã\"}", SCHEMA_CREATE, 0);
    assert_error(e, 0, "/name", "too_long");
    json_decref(e);
}

static void pointer_escapes_tilde_and_slash(void **state)
{
    (void)state;
    json_t *e = run("{\"name\":\"a\",\"a/b~c\":1}", SCHEMA_CREATE, 0);
    assert_error(e, 0, "/a~1b~0c", "unknown_field");
    json_decref(e);
}

static void percent_decoding(void **state)
{
    (void)state;
    char *s = query_percent_decode("a%20b+c%C3%A7", 13, true);
    assert_string_equal(s, "a b cç");
    free(s);
    assert_null(query_percent_decode("%zz", 3, true));
    assert_null(query_percent_decode("%4", 2, true));
    assert_null(query_percent_decode("%00", 3, true));
    assert_null(query_percent_decode("%ff", 3, true));
    s = query_percent_decode("a+b", 3, false);
    assert_string_equal(s, "a+b");
    free(s);
}

static void timestamps(void **state)
{
    (void)state;
    assert_true(schema_is_timestamp("2026-10-14T09:00:00Z"));
    assert_true(schema_is_timestamp("2026-10-14T09:00:00.123Z"));
    assert_false(schema_is_timestamp("2026-10-14T09:00:00+01:00"));
    assert_false(schema_is_timestamp("2026-13-14T09:00:00Z"));
    assert_false(schema_is_timestamp("2026-10-14 09:00:00Z"));
    assert_false(schema_is_timestamp("2026-10-14T24:00:00Z"));
    assert_false(schema_is_timestamp(""));
    assert_false(schema_is_timestamp("2026-02-30T00:00:00Z"));
    assert_false(schema_is_timestamp("2026-04-31T00:00:00Z"));
    assert_false(schema_is_timestamp("0000-01-01T00:00:00Z"));
    assert_true(schema_is_timestamp("2028-02-29T00:00:00Z"));
    assert_false(schema_is_timestamp("2100-02-29T00:00:00Z"));
}

static void query_parsing(void **state)
{
    (void)state;
    struct req_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    char *bad = NULL;
    assert_true(query_parse("status=a,b&q=Lisboa+Porto&empty=", &ctx, &bad));
    assert_int_equal(ctx.nquery, 3);
    assert_string_equal(api_query(&ctx, "status"), "a,b");
    assert_string_equal(api_query(&ctx, "q"), "Lisboa Porto");
    assert_string_equal(api_query(&ctx, "empty"), "");
    for (size_t i = 0; i < ctx.nquery; i++) {
        free(ctx.query[i].name);
        free(ctx.query[i].value);
    }
    memset(&ctx, 0, sizeof ctx);
    assert_false(query_parse("a=1&a=2", &ctx, &bad));
    assert_string_equal(bad, "a");
    free(bad);
    free(ctx.query[0].name);
    free(ctx.query[0].value);
}

/* RFC 7396 appendix A, a selection. */
static void merge_patch_follows_rfc_7396(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
        {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
        {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
        {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
        {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
        {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
        {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *target = json_loads(cases[i][0], 0, NULL),
               *patch = json_loads(cases[i][1], 0, NULL);
        json_t *want = json_loads(cases[i][2], 0, NULL);
        merge_patch(target, patch);
        assert_true(json_equal(target, want));
        json_decref(target);
        json_decref(patch);
        json_decref(want);
    }
}

static void cursor_round_trips_through_the_query(void **state)
{
    (void)state;
    static const struct page_sort sorts[] = {{"created_at", "created_at", "", ""},
                                             {"handle", "handle", "", ""}};
    struct page_req page = {.limit = 10, .sort = &sorts[1], .sort_index = 1};
    char *cursor =
        page_cursor_encode(&page, "lisboa-dominios", "6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c10");
    struct req_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    char *query = xasprintf("sort=handle&cursor=%s&limit=2", cursor);
    char *bad = NULL;
    assert_true(query_parse(query, &ctx, &bad));
    struct page_req got;
    assert_true(query_page(NULL, &ctx, sorts, 2, NULL, &got));
    assert_int_equal(got.limit, 2);
    assert_int_equal(got.sort_index, 1);
    assert_ptr_equal(got.sort, &sorts[1]);
    assert_false(got.descending);
    assert_string_equal(got.after_value, "lisboa-dominios");
    assert_string_equal(got.after_id, "6f1c1a52-0d5e-4a53-9a57-6d8a4d2f7c10");
    page_req_cleanup(&got);
    for (size_t i = 0; i < ctx.nquery; i++) {
        free(ctx.query[i].name);
        free(ctx.query[i].value);
    }
    free(query);
    free(cursor);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_body_has_no_errors),
        cmocka_unit_test(an_open_object_checks_its_type_only),
        cmocka_unit_test(every_violation_is_reported),
        cmocka_unit_test(field_a_role_may_not_write_is_refused),
        cmocka_unit_test(patch_skips_required_but_checks_null),
        cmocka_unit_test(length_counts_characters_not_bytes),
        cmocka_unit_test(pointer_escapes_tilde_and_slash),
        cmocka_unit_test(percent_decoding),
        cmocka_unit_test(timestamps),
        cmocka_unit_test(query_parsing),
        cmocka_unit_test(merge_patch_follows_rfc_7396),
        cmocka_unit_test(cursor_round_trips_through_the_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
