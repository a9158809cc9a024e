/* The CENTR Registrar Day draw (DOMAIN.md section 6): its status machine,
 * its row, and what running and declining do to its lists. The arithmetic
 * anyone can redo (the commitment, the order) is draw_order.h's. Pure.
 *
 *   action    who               from       to       effects
 *   freeze    staff             committed  frozen   freeze (the pool; check-in closes)
 *   run       staff             frozen     drawn    run (seed checked; order, winners, alternates)
 *   decline   staff, registrar  drawn      (same)   decline (the next alternate steps in)
 *
 * staff: ROLE_STAFF or ROLE_ADMIN; a registrar declines for itself, when it
 * is a current representative. run asked again of a drawn draw with the same
 * seed and public entropy changes nothing and answers the draw. */
#ifndef PARCERIA_DRAW_H
#define PARCERIA_DRAW_H

#include "draw_order.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>

enum draw_status {
    DRAW_COMMITTED,
    DRAW_FROZEN,
    DRAW_DRAWN,
};
#define DRAW_STATUS_COUNT 3

enum draw_action {
    DRAW_ACT_FREEZE,
    DRAW_ACT_RUN,
    DRAW_ACT_DECLINE,
};
#define DRAW_ACTION_COUNT 3

enum draw_effect {
    DRAW_EFFECT_FREEZE = 1u << 0,
    DRAW_EFFECT_RUN = 1u << 1,
    DRAW_EFFECT_DECLINE = 1u << 2,
};

struct machine;
extern const struct machine draw_machine;

#define DRAW_MAX_WINNERS 20

/* A list of registrar ids (lowercase UUID text), owned. */
struct draw_ids {
    size_t n;
    char (*ids)[DRAW_ID_SIZE];
};
void draw_ids_free(struct draw_ids *l);
void draw_ids_push(struct draw_ids *l, const char *id);
bool draw_ids_has(const struct draw_ids *l, const char *id);

struct draw_row {
    char id[37];
    char title[801];
    char source_event_id[37];
    char target_event_id[37];
    int winner_count;
    char seed_commitment[65];
    enum draw_status status;
    bool frozen, drawn; /* pool set; seed, entropy and result set */
    struct draw_ids pool, order, winners, alternates, declined, representatives;
    char *seed, *public_entropy; /* owned, or NULL */
    char frozen_at[32];
    char drawn_at[32];
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void draw_row_cleanup(struct draw_row *row);

const char *draw_status_name(enum draw_status status);
bool draw_status_parse(const char *name, enum draw_status *out) WARN_UNUSED;

/* Runs the draw on its frozen pool: order (seed, public_entropy, the pool
 * in the recipe's order), winners (the first winner_count), alternates (the
 * rest), representatives (the winners). Sets seed and public_entropy. */
void draw_result(struct draw_row *d, const char *seed, const char *public_entropy);
/* registrar_id declines: false when it is not a current representative.
 * Otherwise it joins declined, leaves representatives, and the first
 * alternate never a representative joins them, written to promoted (empty
 * when none is left). */
bool draw_decline(struct draw_row *d, const char *registrar_id, char promoted[37]);

#endif
