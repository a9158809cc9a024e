/* Single flights (flight.h). Members queue in arrival order under one mutex,
 * each with a condition of its own, so a landing wakes exactly the members
 * it carried and the one that leads next: no herd. Whoever finds fewer than
 * max_out flights out leads: it takes up to max_asks members from the
 * queue's head, runs them with the lock released, then marks them done and
 * wakes the new head, which leads the next. A member lives on its caller's stack; the leader
 * touches it only under the lock and before marking it done. */
#include "flight.h"

#include "util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct member {
    void *ask;
    enum status st;
    bool done;
    pthread_cond_t wake;
    struct member *next;
};

struct flight {
    pthread_mutex_t lock;
    flight_fn run;
    void *arg;
    size_t max_asks;
    unsigned max_out;
    unsigned out; /* flights out; at max_out newcomers wait for a landing */
    struct flight_stats stats;
    struct member *head, **tail; /* joined, not yet carried, in arrival order */
};

struct flight *flight_new(flight_fn run, void *arg, size_t max_asks, unsigned max_out)
{
    struct flight *f = xcalloc(1, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    f->run = run;
    f->arg = arg;
    f->max_asks = max_asks > 0 ? max_asks : 1;
    f->max_out = max_out > 0 ? max_out : 1;
    f->tail = &f->head;
    return f;
}

void flight_free(struct flight *f)
{
    if (f == NULL)
        return;
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* Called with the lock held and fewer than max_out flights out; returns
 * with it held. */
static void lead(struct flight *f)
{
    struct member **batch = xcalloc(f->max_asks, sizeof *batch);
    void **asks = xcalloc(f->max_asks, sizeof *asks);
    size_t n = 0;
    while (f->head != NULL && n < f->max_asks) {
        struct member *m = f->head;
        f->head = m->next;
        batch[n] = m;
        asks[n++] = m->ask;
    }
    if (f->head == NULL)
        f->tail = &f->head;
    f->out++;
    f->stats.runs++;
    f->stats.asks += n;
    pthread_mutex_unlock(&f->lock);
    enum status st = f->run(f->arg, asks, n);
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < n; i++) {
        batch[i]->st = st;
        batch[i]->done = true;
        pthread_cond_signal(&batch[i]->wake);
    }
    f->out--;
    if (f->head != NULL)
        pthread_cond_signal(&f->head->wake); /* it leads the next */
    free(batch);
    free(asks);
}

void flight_stats(struct flight *f, struct flight_stats *out)
{
    pthread_mutex_lock(&f->lock);
    *out = f->stats;
    pthread_mutex_unlock(&f->lock);
}

enum status flight_join(struct flight *f, void *ask)
{
    struct member me = {.ask = ask};
    pthread_cond_init(&me.wake, NULL);
    pthread_mutex_lock(&f->lock);
    *f->tail = &me;
    f->tail = &me.next;
    while (!me.done) {
        if (f->out < f->max_out)
            lead(f); /* carries me, or first the members ahead of me */
        else
            pthread_cond_wait(&me.wake, &f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    pthread_cond_destroy(&me.wake);
    return me.st;
}
