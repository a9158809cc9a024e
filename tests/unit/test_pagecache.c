/* The page cache: hits only at the caller's version, never keeps an older
 * page over a newer one of the same key, and keeps the records of 300
 * registrars (as bench/run reads them) side by side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "pagecache.h"
#include "role.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int clear(void **state)
{
    (void)state;
    pagecache_clear();
    return 0;
}

static void hits_only_at_its_version(void **state)
{
    (void)state;
    struct pagecache_page p;
    pagecache_put("k", 5, "{\"a\":1}", 7, "\"1\"");
    assert_true(pagecache_get("k", 5, &p));
    assert_string_equal(p.body, "{\"a\":1}");
    assert_int_equal(p.len, 7);
    assert_string_equal(p.etag, "\"1\"");
    pagecache_page_cleanup(&p);
    assert_false(pagecache_get("k", 6, &p)); /* a newer version: the page is stale */
    assert_null(p.body);
    assert_false(pagecache_get("k", 5, &p)); /* and dropped for everyone */
    assert_false(pagecache_get("other", 5, &p));
}

static void an_older_page_never_replaces_a_newer_one(void **state)
{
    (void)state;
    struct pagecache_page p;
    pagecache_put("k", 7, "new", 3, "\"n\"");
    pagecache_put("k", 6, "old", 3, "\"o\""); /* a slow reader's page */
    assert_false(pagecache_get("k", 6, &p));
    assert_true(pagecache_get("k", 7, &p));
    assert_string_equal(p.body, "new");
    pagecache_page_cleanup(&p);
    pagecache_put("k", 8, "newer", 5, "\"m\"");
    assert_true(pagecache_get("k", 8, &p));
    assert_string_equal(p.body, "newer");
    pagecache_page_cleanup(&p);
}

/* Registrar i's own record, keyed as resource.c keys a registrar's view of
 * it (route, id, role, registrar, language), and its body. Such keys differ
 * in a few digits only: FNV-1a put 300 of them in 140 of 512 sets. */
static void record(int i, char key[200], char body[64])
{
    char id[40];
    snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
    snprintf(key, 200, "/v1/registrars/{id}|36:%s|%u|%s|0", id, (unsigned)ROLE_REGISTRAR, id);
    snprintf(body, 64, "{\"n\":%d}", i);
}

static void three_hundred_records_side_by_side(void **state)
{
    (void)state;
    char key[200], body[64];
    for (int i = 0; i < 300; i++) {
        record(i, key, body);
        pagecache_put(key, 1, body, strlen(body), "\"1\"");
    }
    int kept = 0;
    for (int i = 0; i < 300; i++) {
        struct pagecache_page p;
        record(i, key, body);
        if (pagecache_get(key, 1, &p)) {
            assert_string_equal(p.body, body);
            kept++;
        }
        pagecache_page_cleanup(&p);
    }
    assert_int_equal(kept, 300);
}

static void bodies_stay_within_the_budget(void **state)
{
    (void)state;
    size_t len = PAGECACHE_MAX_BODY;
    char *body = malloc(len);
    memset(body, 'x', len);
    char key[32];
    int kept = 0;
    for (int i = 0; i < 2 * PAGECACHE_MAX_BYTES / PAGECACHE_MAX_BODY; i++) {
        snprintf(key, sizeof key, "big-%d", i);
        pagecache_put(key, 1, body, len, "\"b\"");
    }
    for (int i = 0; i < 2 * PAGECACHE_MAX_BYTES / PAGECACHE_MAX_BODY; i++) {
        struct pagecache_page p;
        snprintf(key, sizeof key, "big-%d", i);
        kept += pagecache_get(key, 1, &p);
        pagecache_page_cleanup(&p);
    }
    assert_true((size_t)kept * len <= PAGECACHE_MAX_BYTES);
    assert_true(kept > 0);
    pagecache_put("big-over", 1, body, len + 1, "\"b\""); /* too large for any slot */
    struct pagecache_page p;
    assert_false(pagecache_get("big-over", 1, &p));
    free(body);
}

int main(void)
{
    util_install_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(hits_only_at_its_version, clear),
        cmocka_unit_test_setup(an_older_page_never_replaces_a_newer_one, clear),
        cmocka_unit_test_setup(three_hundred_records_side_by_side, clear),
        cmocka_unit_test_setup(bodies_stay_within_the_budget, clear),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    pagecache_clear();
    return failed;
}
