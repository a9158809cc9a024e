/* Single flights: every ask is answered once, by a run that began after it
 * joined (so a flight's read is never older than any member's arrival);
 * concurrent asks share runs; a run carries at most its bound, and no more
 * runs than their bound go on at once; a failure
 * answers every member of its run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "flight.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define THREADS 16
#define JOINS 25

struct ask {
    long arrived; /* the clock just before joining */
    long carried; /* the clock when the run that carried it began */
    int answers;  /* how many runs carried it */
};

struct book {
    atomic_long clock;
    atomic_int runs;
    atomic_int widest;  /* the most asks one run carried */
    atomic_int flying;  /* runs going on now */
    atomic_int busiest; /* the most runs at once */
    enum status answer;
    struct flight *f;
};

static enum status run(void *arg, void *const *asks, size_t n)
{
    struct book *b = arg;
    long start = atomic_fetch_add(&b->clock, 1) + 1;
    atomic_fetch_add(&b->runs, 1);
    int now = atomic_fetch_add(&b->flying, 1) + 1, most = atomic_load(&b->busiest);
    while (now > most && !atomic_compare_exchange_weak(&b->busiest, &most, now))
        ;
    int w = atomic_load(&b->widest);
    while ((int)n > w && !atomic_compare_exchange_weak(&b->widest, &w, (int)n))
        ;
    nanosleep(&(struct timespec){0, 1000000}, NULL); /* a round trip's while: others queue */
    for (size_t i = 0; i < n; i++) {
        struct ask *a = asks[i];
        a->carried = start;
        a->answers++;
    }
    atomic_fetch_sub(&b->flying, 1);
    return b->answer;
}

struct worker {
    struct book *b;
    struct ask asks[JOINS];
    enum status got[JOINS];
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < JOINS; i++) {
        w->asks[i].arrived = atomic_fetch_add(&w->b->clock, 1) + 1;
        w->got[i] = flight_join(w->b->f, &w->asks[i]);
    }
    return NULL;
}

static void crowd(struct book *b, size_t max_asks, unsigned max_out, struct worker *workers)
{
    b->f = flight_new(run, b, max_asks, max_out);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){.b = b};
        assert_int_equal(pthread_create(&t[i], NULL, work, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    flight_free(b->f);
}

/* Every worker's asks: answered want, by exactly one run, which began after
 * the ask joined. */
static void each_answered_once(const struct worker *workers, enum status want)
{
    for (int i = 0; i < THREADS; i++)
        for (int j = 0; j < JOINS; j++) {
            assert_int_equal(workers[i].got[j], want);
            assert_int_equal(workers[i].asks[j].answers, 1);
            assert_true(workers[i].asks[j].carried > workers[i].asks[j].arrived);
        }
}

static void one_caller_flies_alone(void **state)
{
    (void)state;
    struct book b = {.answer = ST_OK};
    b.f = flight_new(run, &b, 8, 2);
    struct ask a = {.arrived = 1};
    atomic_store(&b.clock, 1);
    assert_int_equal(flight_join(b.f, &a), ST_OK);
    assert_int_equal(a.answers, 1);
    assert_int_equal(atomic_load(&b.runs), 1);
    assert_true(a.carried > a.arrived);
    flight_free(b.f);
}

static void every_ask_is_answered_once_by_a_run_that_began_after_it(void **state)
{
    (void)state;
    static struct worker workers[THREADS];
    struct book b = {.answer = ST_OK};
    crowd(&b, 64, 1, workers);
    each_answered_once(workers, ST_OK);
    /* 16 callers at once, each run a millisecond long: runs were shared */
    assert_true(atomic_load(&b.runs) < THREADS * JOINS);
    assert_true(atomic_load(&b.widest) > 1);
}

static void a_run_carries_at_most_its_bound(void **state)
{
    (void)state;
    static struct worker workers[THREADS];
    struct book b = {.answer = ST_OK};
    crowd(&b, 3, 2, workers);
    assert_true(atomic_load(&b.widest) <= 3);
    each_answered_once(workers, ST_OK);
}

static void no_more_runs_at_once_than_its_bound(void **state)
{
    (void)state;
    static struct worker workers[THREADS];
    for (unsigned out = 1; out <= 3; out++) {
        struct book b = {.answer = ST_OK};
        crowd(&b, 64, out, workers);
        assert_true(atomic_load(&b.busiest) <= (int)out);
        assert_true(atomic_load(&b.runs) < THREADS * JOINS);
        each_answered_once(workers, ST_OK);
    }
}

static void a_failed_run_answers_every_member_with_its_failure(void **state)
{
    (void)state;
    static struct worker workers[THREADS];
    struct book b = {.answer = ST_UNAVAILABLE};
    crowd(&b, 64, 2, workers);
    each_answered_once(workers, ST_UNAVAILABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_caller_flies_alone),
        cmocka_unit_test(every_ask_is_answered_once_by_a_run_that_began_after_it),
        cmocka_unit_test(a_run_carries_at_most_its_bound),
        cmocka_unit_test(no_more_runs_at_once_than_its_bound),
        cmocka_unit_test(a_failed_run_answers_every_member_with_its_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
