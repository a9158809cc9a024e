/* The draw: its machine (tabled in draw.h) and its lists. Pure. */
#include "draw.h"

#include "draw_order.h"
#include "machine.h"
#include "role.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define B(s) MACHINE_BIT(DRAW_##s)

static const char *const states[DRAW_STATUS_COUNT] = {
    [DRAW_COMMITTED] = "committed",
    [DRAW_FROZEN] = "frozen",
    [DRAW_DRAWN] = "drawn",
};

static const struct machine_action actions[DRAW_ACTION_COUNT] = {
    [DRAW_ACT_FREEZE] = {"freeze", STAFF, B(COMMITTED), DRAW_FROZEN, false, DRAW_EFFECT_FREEZE},
    [DRAW_ACT_RUN] = {"run", STAFF, B(FROZEN), DRAW_DRAWN, false, DRAW_EFFECT_RUN},
    [DRAW_ACT_DECLINE] = {"decline", STAFF | ROLE_REGISTRAR, B(DRAWN), MACHINE_SAME, false,
                          DRAW_EFFECT_DECLINE},
};

const struct machine draw_machine = {states, DRAW_STATUS_COUNT, actions, DRAW_ACTION_COUNT};

void draw_ids_free(struct draw_ids *l)
{
    free(l->ids);
    l->ids = NULL;
    l->n = 0;
}

void draw_ids_push(struct draw_ids *l, const char *id)
{
    l->ids = xrealloc(l->ids, (l->n + 1) * sizeof *l->ids);
    snprintf(l->ids[l->n++], sizeof l->ids[0], "%s", id);
}

bool draw_ids_has(const struct draw_ids *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->ids[i], id) == 0)
            return true;
    return false;
}

void draw_row_cleanup(struct draw_row *row)
{
    struct draw_ids *lists[] = {&row->pool,       &row->order,    &row->winners,
                                &row->alternates, &row->declined, &row->representatives};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        draw_ids_free(lists[i]);
    free(row->seed);
    free(row->public_entropy);
    row->seed = row->public_entropy = NULL;
}

const char *draw_status_name(enum draw_status status)
{
    return (unsigned)status < DRAW_STATUS_COUNT ? states[status] : NULL;
}

bool draw_status_parse(const char *name, enum draw_status *out)
{
    int i = machine_state(&draw_machine, name);
    if (i >= 0)
        *out = (enum draw_status)i;
    return i >= 0;
}

void draw_result(struct draw_row *d, const char *seed, const char *public_entropy)
{
    draw_ids_free(&d->order);
    draw_ids_free(&d->winners);
    draw_ids_free(&d->alternates);
    draw_ids_free(&d->representatives);
    for (size_t i = 0; i < d->pool.n; i++)
        draw_ids_push(&d->order, d->pool.ids[i]);
    draw_order(seed, public_entropy, d->order.ids, d->order.n);
    for (size_t i = 0; i < d->order.n; i++) {
        bool winner = i < (size_t)d->winner_count;
        draw_ids_push(winner ? &d->winners : &d->alternates, d->order.ids[i]);
        if (winner)
            draw_ids_push(&d->representatives, d->order.ids[i]);
    }
    free(d->seed);
    free(d->public_entropy);
    d->seed = xstrdup(seed);
    d->public_entropy = xstrdup(public_entropy);
    d->drawn = true;
}

bool draw_decline(struct draw_row *d, const char *registrar_id, char promoted[37])
{
    promoted[0] = '\0';
    size_t at = d->representatives.n;
    for (size_t i = 0; i < d->representatives.n; i++)
        if (strcmp(d->representatives.ids[i], registrar_id) == 0)
            at = i;
    if (at == d->representatives.n)
        return false;
    draw_ids_push(&d->declined, registrar_id);
    memmove(&d->representatives.ids[at], &d->representatives.ids[at + 1],
            (d->representatives.n - at - 1) * sizeof d->representatives.ids[0]);
    d->representatives.n--;
    for (size_t i = 0; i < d->alternates.n; i++) {
        const char *next = d->alternates.ids[i];
        if (!draw_ids_has(&d->representatives, next) && !draw_ids_has(&d->declined, next)) {
            draw_ids_push(&d->representatives, next);
            snprintf(promoted, 37, "%s", next);
            break;
        }
    }
    return true;
}
