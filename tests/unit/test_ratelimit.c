/* The in-memory token buckets: limits, refill, replica shares, Retry-After,
 * bounded memory and eviction, and exact counting under threads. The clock
 * is the test's. */
#include "ratelimit.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

static uint64_t fake_now;

static uint64_t fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

static void hit(struct ratelimit *rl, const char *key, struct ratelimit_result *r)
{
    ratelimit_hit(rl, key, 3, 60, r);
}

static void test_limit_then_refusal(void **state)
{
    (void)state;
    fake_now = 1000000;
    struct ratelimit *rl = ratelimit_new(64, 1, fake_clock, NULL);
    struct ratelimit_result r;
    for (long left = 2; left >= 0; left--) {
        hit(rl, "client:a", &r);
        assert_true(r.allowed);
        assert_int_equal(r.limit, 3);
        assert_int_equal(r.remaining, left);
    }
    assert_int_equal(r.reset_s, 60);
    hit(rl, "client:a", &r);
    assert_false(r.allowed);
    assert_int_equal(r.remaining, 0);
    assert_int_equal(r.retry_after, 20); /* one token every 20 s */
    hit(rl, "client:b", &r);             /* another client has its own bucket */
    assert_true(r.allowed);
    ratelimit_free(rl);
}

static void test_refill(void **state)
{
    (void)state;
    fake_now = 5000;
    struct ratelimit *rl = ratelimit_new(64, 1, fake_clock, NULL);
    struct ratelimit_result r;
    for (int i = 0; i < 3; i++)
        hit(rl, "k", &r);
    fake_now += 19999;
    hit(rl, "k", &r);
    assert_false(r.allowed);
    assert_int_equal(r.retry_after, 1);
    fake_now += 1;
    hit(rl, "k", &r);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 0);
    fake_now += 600000; /* long idle: full again, never more than full */
    hit(rl, "k", &r);
    assert_true(r.allowed);
    assert_int_equal(r.remaining, 2);
    ratelimit_free(rl);
}

static void test_replica_share(void **state)
{
    (void)state;
    fake_now = 0;
    struct ratelimit *rl = ratelimit_new(64, 4, fake_clock, NULL);
    struct ratelimit_result r;
    int allowed = 0;
    for (int i = 0; i < 1000; i++) {
        ratelimit_hit(rl, "k", 600, 60, &r);
        allowed += r.allowed;
    }
    assert_int_equal(allowed, 150);
    assert_int_equal(r.limit, 150);
    ratelimit_hit(rl, "tiny", 2, 60, &r); /* a share never falls to zero */
    assert_true(r.allowed);
    assert_int_equal(r.limit, 1);
    ratelimit_free(rl);
}

static void test_bounded_memory(void **state)
{
    (void)state;
    fake_now = 0;
    struct ratelimit *rl = ratelimit_new(64, 1, fake_clock, NULL);
    struct ratelimit_result r;
    char key[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "client:%d", i);
        hit(rl, key, &r);
        assert_true(r.allowed);
    }
    assert_int_equal(ratelimit_size(rl), 64);
    ratelimit_free(rl);
}

static void test_eviction_keeps_busy_buckets(void **state)
{
    (void)state;
    fake_now = 0;
    struct ratelimit *rl = ratelimit_new(8, 1, fake_clock, NULL); /* one set of 8 */
    struct ratelimit_result r;
    for (int i = 0; i < 3; i++)
        hit(rl, "busy", &r);
    fake_now = 1000;
    char key[32];
    for (int i = 0; i < 100; i++) { /* many one-off clients pass through */
        snprintf(key, sizeof key, "once:%d", i);
        hit(rl, key, &r);
    }
    hit(rl, "busy", &r); /* its empty bucket was the last to go */
    assert_false(r.allowed);
    ratelimit_free(rl);
}

struct worker {
    struct ratelimit *rl;
    int allowed;
};

static void *hammer(void *arg)
{
    struct worker *w = arg;
    struct ratelimit_result r;
    for (int i = 0; i < 1000; i++) {
        ratelimit_hit(w->rl, "shared", 500, 3600, &r);
        w->allowed += r.allowed;
    }
    return NULL;
}

static void test_threads_count_exactly(void **state)
{
    (void)state;
    fake_now = 0;
    struct ratelimit *rl = ratelimit_new(1024, 1, fake_clock, NULL);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.rl = rl};
        pthread_create(&t[i], NULL, hammer, &w[i]);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += w[i].allowed;
    }
    assert_int_equal(total, 500);
    ratelimit_free(rl);
}

static void test_real_clock(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(16, 1, NULL, NULL);
    struct ratelimit_result r;
    ratelimit_hit(rl, "k", 1, 60, &r);
    assert_true(r.allowed);
    ratelimit_hit(rl, "k", 1, 60, &r);
    assert_false(r.allowed);
    assert_true(r.retry_after >= 1 && r.retry_after <= 60);
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_then_refusal),
        cmocka_unit_test(test_refill),
        cmocka_unit_test(test_replica_share),
        cmocka_unit_test(test_bounded_memory),
        cmocka_unit_test(test_eviction_keeps_busy_buckets),
        cmocka_unit_test(test_threads_count_exactly),
        cmocka_unit_test(test_real_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
