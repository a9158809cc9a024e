/* Single flights: callers that want the same kind of answer at once share
 * one run of it. A caller joins the next flight that has not left yet, and
 * a flight leaves only after its last member joined, so whatever it reads
 * was read after every member arrived. A member that finds fewer than
 * max_out flights out runs the next one itself; the others sleep until
 * theirs lands. More than one out keeps a caller from waiting a whole run
 * behind one that just left (and behind a leader the scheduler delays).
 * db_flight.h runs flights on pooled database connections. */
#ifndef PARCERIA_FLIGHT_H
#define PARCERIA_FLIGHT_H

#include "status.h"

#include <stddef.h>

struct flight;

/* Runs one flight: asks[0..n) are the pointers its members joined with, in
 * arrival order; fills what each asks. A failure answers every member. */
typedef enum status (*flight_fn)(void *arg, void *const *asks, size_t n);

/* Flights of at most max_asks members a run (more wait for the next), at
 * most max_out runs at once. */
struct flight *flight_new(flight_fn run, void *arg, size_t max_asks, unsigned max_out);
void flight_free(struct flight *f);
/* Waits for the run that carries ask and returns its status. */
enum status flight_join(struct flight *f, void *ask) WARN_UNUSED;

/* How many runs flew so far, and how many asks they carried. */
struct flight_stats {
    unsigned long runs;
    unsigned long asks;
};
void flight_stats(struct flight *f, struct flight_stats *out);

#endif
