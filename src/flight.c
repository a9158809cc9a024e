/* Single flights (flight.h). Members queue in arrival order under the
 * flight's mutex, each with a mutex and condition of its own, so a landing
 * wakes exactly the members it carried and the one that leads next: no herd,
 * and the woken do not queue on the flight's mutex behind their leader.
 * Whoever finds fewer than max_out flights out leads: it takes up to max_asks
 * members from the queue's head, runs them with the flight's mutex released,
 * pokes the new head (which leads the next), then answers each member it
 * carried under that member's own mutex. A member lives on its caller's
 * stack: a leader touches a queued member only under the flight's mutex,
 * and a carried one only under its own, until it has answered it. */
#include "flight.h"

#include "util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct member {
    void *ask;
    bool carried; /* taken by a leader: under the flight's lock */
    /* Under the member's own lock: its answer, and whether it may lead. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    enum status st;
    bool done;
    bool poked;
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

/* Under the member's own lock, so its caller can leave only after the last
 * touch: the waker unlocks last, and a member destroys its lock only after
 * taking it and seeing done. */
static void wake(struct member *m, bool done, enum status st)
{
    pthread_mutex_lock(&m->lock);
    if (done) {
        m->st = st;
        m->done = true;
    } else {
        m->poked = true;
    }
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
}

/* Called with the flight's lock held and fewer than max_out flights out;
 * returns with it released. Carries up to max_asks members from the head
 * (self among them or not), runs them, then answers each under its own lock,
 * so the members it wakes do not queue on the flight's lock behind it.
 * Returns whether it carried self (whose answer it then left in self->st). */
static bool lead(struct flight *f, struct member *self)
{
    bool answered = false;
    struct member **batch = xcalloc(f->max_asks, sizeof *batch);
    void **asks = xcalloc(f->max_asks, sizeof *asks);
    size_t n = 0;
    while (f->head != NULL && n < f->max_asks) {
        struct member *m = f->head;
        f->head = m->next;
        m->carried = true;
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
    f->out--;
    /* The new head leads the next. Poked under the flight's lock: while it
     * is queued, no leader can carry it off and answer it. */
    if (f->head != NULL)
        wake(f->head, false, ST_OK);
    pthread_mutex_unlock(&f->lock);
    for (size_t i = 0; i < n; i++) {
        if (batch[i] == self) {
            self->st = st;
            answered = true;
        } else {
            wake(batch[i], true, st);
        }
    }
    free(batch);
    free(asks);
    return answered;
}

void flight_stats(struct flight *f, struct flight_stats *out)
{
    pthread_mutex_lock(&f->lock);
    *out = f->stats;
    pthread_mutex_unlock(&f->lock);
}

/* Sleeps until a leader answers me or pokes me to lead; true when answered. */
static bool await_wake(struct member *me)
{
    pthread_mutex_lock(&me->lock);
    while (!me->done && !me->poked)
        pthread_cond_wait(&me->wake, &me->lock);
    me->poked = false;
    bool done = me->done;
    pthread_mutex_unlock(&me->lock);
    return done;
}

enum status flight_join(struct flight *f, void *ask)
{
    struct member me = {.ask = ask};
    pthread_mutex_init(&me.lock, NULL);
    pthread_cond_init(&me.wake, NULL);
    pthread_mutex_lock(&f->lock);
    *f->tail = &me;
    f->tail = &me.next;
    for (;;) {
        if (me.carried) { /* by another: it answers me under my own lock */
            pthread_mutex_unlock(&f->lock);
            while (!await_wake(&me))
                ;
            break;
        }
        if (f->out < f->max_out) {
            if (lead(f, &me)) /* carries me, or first the members ahead of me */
                break;
        } else {
            pthread_mutex_unlock(&f->lock);
            if (await_wake(&me))
                break;
        }
        pthread_mutex_lock(&f->lock);
    }
    pthread_cond_destroy(&me.wake);
    pthread_mutex_destroy(&me.lock);
    return me.st;
}
