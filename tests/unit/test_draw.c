/* The CENTR Registrar Day draw, pure: its machine edge by edge against the
 * table of draw.h written out here, its names, the id lists, what running
 * does to the lists (draw_order, tested on its own in test_draw_order.c, is
 * the oracle of the order here) and what a decline does: the declined leave
 * the representatives and the first alternate not yet used steps in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "draw.h"
#include "draw_order.h"
#include "machine.h"
#include "role.h"

#include <stdio.h>
#include <string.h>

static const unsigned roles[] = {ROLE_PUBLIC,    ROLE_ADMIN,     ROLE_STAFF,
                                 ROLE_REGISTRAR, ROLE_APPLICANT, ROLE_TEACHER};
#define NROLES (sizeof roles / sizeof *roles)
#define STAFF (ROLE_STAFF | ROLE_ADMIN)

static const char SEED[] = "parceria-2027";
static const char ENTROPY[] = "btc:00000000000000000002a7c4";

static const char *const POOL[] = {
    "0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01", "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
    "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d", "c0ffee00-0000-4000-8000-000000000001",
    "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9",
};
#define NPOOL (sizeof POOL / sizeof *POOL)

/* --- the machine ---------------------------------------------------------- */

struct edge {
    int from, action, to;
};

static unsigned draw_who(int action)
{
    return action == DRAW_ACT_DECLINE ? STAFF | ROLE_REGISTRAR : STAFF;
}

static void machine_every_edge_role_and_state(void **state)
{
    (void)state;
    static const struct edge edges[] = {
        {DRAW_COMMITTED, DRAW_ACT_FREEZE, DRAW_FROZEN},
        {DRAW_FROZEN, DRAW_ACT_RUN, DRAW_DRAWN},
        {DRAW_DRAWN, DRAW_ACT_DECLINE, DRAW_DRAWN},
    };
    assert_int_equal(draw_machine.nstates, DRAW_STATUS_COUNT);
    assert_int_equal(draw_machine.nactions, DRAW_ACTION_COUNT);
    for (int s = 0; s < DRAW_STATUS_COUNT; s++)
        for (int a = 0; a < DRAW_ACTION_COUNT; a++)
            for (size_t r = 0; r < NROLES; r++) {
                int to = -2, want_to = -2;
                for (size_t e = 0; e < sizeof edges / sizeof *edges; e++)
                    if (edges[e].from == s && edges[e].action == a)
                        want_to = edges[e].to;
                enum status want = (draw_who(a) & roles[r]) == 0 ? ST_FORBIDDEN
                                   : want_to == -2               ? ST_INVALID_STATE
                                                                 : ST_OK;
                assert_int_equal(machine_transition(&draw_machine, s, a, roles[r], &to), want);
                assert_int_equal(to, want == ST_OK ? want_to : -2);
            }
}

static void freeze_and_run_are_staff_only(void **state)
{
    (void)state;
    int to;
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_COMMITTED, DRAW_ACT_FREEZE, ROLE_STAFF, &to), ST_OK);
    assert_int_equal(to, DRAW_FROZEN);
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_COMMITTED, DRAW_ACT_FREEZE, ROLE_ADMIN, &to), ST_OK);
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_COMMITTED, DRAW_ACT_FREEZE, ROLE_REGISTRAR, &to),
        ST_FORBIDDEN);
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_FROZEN, DRAW_ACT_RUN, ROLE_REGISTRAR, &to),
        ST_FORBIDDEN);
    assert_int_equal(machine_transition(&draw_machine, DRAW_FROZEN, DRAW_ACT_RUN, ROLE_ADMIN, &to),
                     ST_OK);
    assert_int_equal(to, DRAW_DRAWN);
}

static void run_only_from_frozen(void **state)
{
    (void)state;
    int to;
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_COMMITTED, DRAW_ACT_RUN, ROLE_STAFF, &to),
        ST_INVALID_STATE);
    assert_int_equal(machine_transition(&draw_machine, DRAW_DRAWN, DRAW_ACT_RUN, ROLE_STAFF, &to),
                     ST_INVALID_STATE);
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_FROZEN, DRAW_ACT_FREEZE, ROLE_STAFF, &to),
        ST_INVALID_STATE);
}

static void decline_by_staff_or_registrar_once_drawn(void **state)
{
    (void)state;
    const unsigned who[] = {ROLE_STAFF, ROLE_ADMIN, ROLE_REGISTRAR};
    for (size_t i = 0; i < 3; i++) {
        int to = -2;
        assert_int_equal(
            machine_transition(&draw_machine, DRAW_DRAWN, DRAW_ACT_DECLINE, who[i], &to), ST_OK);
        assert_int_equal(to, DRAW_DRAWN);
        assert_int_equal(
            machine_transition(&draw_machine, DRAW_FROZEN, DRAW_ACT_DECLINE, who[i], &to),
            ST_INVALID_STATE);
        assert_int_equal(
            machine_transition(&draw_machine, DRAW_COMMITTED, DRAW_ACT_DECLINE, who[i], &to),
            ST_INVALID_STATE);
    }
    int to;
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_DRAWN, DRAW_ACT_DECLINE, ROLE_APPLICANT, &to),
        ST_FORBIDDEN);
    assert_int_equal(
        machine_transition(&draw_machine, DRAW_DRAWN, DRAW_ACT_DECLINE, ROLE_TEACHER, &to),
        ST_FORBIDDEN);
}

static void machine_actions_named_with_their_effects(void **state)
{
    (void)state;
    static const char *const names[DRAW_ACTION_COUNT] = {"freeze", "run", "decline"};
    static const unsigned effects[DRAW_ACTION_COUNT] = {DRAW_EFFECT_FREEZE, DRAW_EFFECT_RUN,
                                                        DRAW_EFFECT_DECLINE};
    for (int a = 0; a < DRAW_ACTION_COUNT; a++) {
        assert_string_equal(draw_machine.actions[a].name, names[a]);
        assert_int_equal(machine_action(&draw_machine, names[a]), a);
        assert_int_equal(draw_machine.actions[a].effects, effects[a]);
        assert_false(draw_machine.actions[a].needs_reason);
    }
    assert_int_equal(draw_machine.actions[DRAW_ACT_DECLINE].to, MACHINE_SAME);
}

static void allowed_actions_per_state_and_role(void **state)
{
    (void)state;
    const char *names[4];
    assert_int_equal(machine_allowed(&draw_machine, DRAW_COMMITTED, ROLE_STAFF, 0, names, 4), 1);
    assert_string_equal(names[0], "freeze");
    assert_int_equal(machine_allowed(&draw_machine, DRAW_FROZEN, ROLE_ADMIN, 0, names, 4), 1);
    assert_string_equal(names[0], "run");
    assert_int_equal(machine_allowed(&draw_machine, DRAW_DRAWN, ROLE_REGISTRAR, 0, names, 4), 1);
    assert_string_equal(names[0], "decline");
    assert_int_equal(machine_allowed(&draw_machine, DRAW_COMMITTED, ROLE_REGISTRAR, 0, names, 4),
                     0);
    assert_int_equal(machine_allowed(&draw_machine, DRAW_FROZEN, ROLE_REGISTRAR, 0, names, 4), 0);
}

static void status_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[DRAW_STATUS_COUNT] = {"committed", "frozen", "drawn"};
    for (int s = 0; s < DRAW_STATUS_COUNT; s++) {
        enum draw_status got = DRAW_DRAWN + 1;
        assert_string_equal(draw_status_name((enum draw_status)s), names[s]);
        assert_true(draw_status_parse(names[s], &got));
        assert_int_equal(got, s);
    }
    assert_null(draw_status_name((enum draw_status)DRAW_STATUS_COUNT));
    assert_null(draw_status_name((enum draw_status) - 1));
    enum draw_status out = DRAW_FROZEN;
    assert_false(draw_status_parse("Drawn", &out));
    assert_false(draw_status_parse("run", &out));
    assert_false(draw_status_parse("", &out));
    assert_false(draw_status_parse(NULL, &out));
    assert_int_equal(out, DRAW_FROZEN);
}

/* --- the id lists --------------------------------------------------------- */

static void ids_push_keeps_order_and_has_finds(void **state)
{
    (void)state;
    struct draw_ids l = {0};
    assert_false(draw_ids_has(&l, POOL[0])); /* empty, ids NULL */
    for (size_t i = 0; i < NPOOL; i++)
        draw_ids_push(&l, POOL[i]);
    assert_int_equal(l.n, NPOOL);
    for (size_t i = 0; i < NPOOL; i++) {
        assert_string_equal(l.ids[i], POOL[i]);
        assert_true(draw_ids_has(&l, POOL[i]));
    }
    assert_false(draw_ids_has(&l, "00000000-0000-4000-8000-000000000000"));
    assert_false(draw_ids_has(&l, "0b3c3f7e")); /* a prefix is not the id */
    assert_false(draw_ids_has(&l, ""));
    draw_ids_free(&l);
}

static void ids_push_copies_the_text(void **state)
{
    (void)state;
    struct draw_ids l = {0};
    char id[DRAW_ID_SIZE];
    snprintf(id, sizeof id, "%s", POOL[1]);
    draw_ids_push(&l, id);
    id[0] = 'x';
    assert_string_equal(l.ids[0], POOL[1]);
    draw_ids_free(&l);
}

static void ids_push_grows_past_many(void **state)
{
    (void)state;
    struct draw_ids l = {0};
    char id[DRAW_ID_SIZE];
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
        draw_ids_push(&l, id);
    }
    assert_int_equal(l.n, 200);
    assert_string_equal(l.ids[0], "00000000-0000-4000-8000-000000000000");
    assert_string_equal(l.ids[199], "00000000-0000-4000-8000-000000000199");
    assert_true(draw_ids_has(&l, "00000000-0000-4000-8000-000000000123"));
    draw_ids_free(&l);
}

static void ids_free_empties_and_may_repeat(void **state)
{
    (void)state;
    struct draw_ids l = {0};
    draw_ids_push(&l, POOL[0]);
    draw_ids_free(&l);
    assert_int_equal(l.n, 0);
    assert_null(l.ids);
    assert_false(draw_ids_has(&l, POOL[0]));
    draw_ids_free(&l);          /* twice: nothing left to free */
    draw_ids_push(&l, POOL[2]); /* usable again */
    assert_int_equal(l.n, 1);
    assert_string_equal(l.ids[0], POOL[2]);
    draw_ids_free(&l);
}

static void row_cleanup_frees_every_list_and_text(void **state)
{
    (void)state;
    struct draw_row d = {.winner_count = 2, .status = DRAW_FROZEN, .frozen = true};
    for (size_t i = 0; i < NPOOL; i++)
        draw_ids_push(&d.pool, POOL[i]);
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, d.winners.ids[0], promoted));
    draw_row_cleanup(&d); /* LeakSanitizer checks nothing is left */
    assert_null(d.seed);
    assert_null(d.public_entropy);
    assert_int_equal(d.pool.n + d.order.n + d.winners.n + d.alternates.n + d.declined.n +
                         d.representatives.n,
                     0);
    draw_row_cleanup(&d); /* twice is harmless */
}

/* --- running the draw ----------------------------------------------------- */

/* A frozen draw of the first n ids of POOL. */
static struct draw_row frozen(size_t n, int winner_count)
{
    struct draw_row d = {.winner_count = winner_count, .status = DRAW_FROZEN, .frozen = true};
    for (size_t i = 0; i < n; i++)
        draw_ids_push(&d.pool, POOL[i]);
    return d;
}

/* The oracle: the first n ids of POOL in draw_order's order. */
static void oracle(const char *seed, const char *entropy, size_t n, char (*out)[DRAW_ID_SIZE])
{
    for (size_t i = 0; i < n; i++)
        snprintf(out[i], DRAW_ID_SIZE, "%s", POOL[i]);
    draw_order(seed, entropy, out, n);
}

static void result_first_winner_count_win_the_rest_alternate(void **state)
{
    (void)state;
    char want[NPOOL][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, NPOOL, want);
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    assert_int_equal(d.order.n, NPOOL);
    for (size_t i = 0; i < NPOOL; i++)
        assert_string_equal(d.order.ids[i], want[i]);
    assert_int_equal(d.winners.n, 2);
    assert_string_equal(d.winners.ids[0], want[0]);
    assert_string_equal(d.winners.ids[1], want[1]);
    assert_int_equal(d.alternates.n, 3);
    assert_string_equal(d.alternates.ids[0], want[2]);
    assert_string_equal(d.alternates.ids[1], want[3]);
    assert_string_equal(d.alternates.ids[2], want[4]);
    assert_int_equal(d.declined.n, 0);
    draw_row_cleanup(&d);
}

static void result_representatives_are_the_winners(void **state)
{
    (void)state;
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    assert_int_equal(d.representatives.n, d.winners.n);
    for (size_t i = 0; i < d.winners.n; i++)
        assert_string_equal(d.representatives.ids[i], d.winners.ids[i]);
    /* their own copies: a decline that edits one leaves the other */
    assert_ptr_not_equal(d.representatives.ids, d.winners.ids);
    draw_row_cleanup(&d);
}

static void result_sets_seed_entropy_and_drawn(void **state)
{
    (void)state;
    struct draw_row d = frozen(NPOOL, 2);
    char seed[] = "parceria-2027", entropy[] = "btc:00000000000000000002a7c4";
    draw_result(&d, seed, entropy);
    assert_true(d.drawn);
    assert_non_null(d.seed);
    assert_non_null(d.public_entropy);
    assert_string_equal(d.seed, SEED);
    assert_string_equal(d.public_entropy, ENTROPY);
    /* copies, not the caller's buffers */
    assert_ptr_not_equal(d.seed, seed);
    seed[0] = 'X';
    entropy[0] = 'X';
    assert_string_equal(d.seed, SEED);
    assert_string_equal(d.public_entropy, ENTROPY);
    draw_row_cleanup(&d);
}

static void result_leaves_the_pool_as_frozen(void **state)
{
    (void)state;
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    assert_int_equal(d.pool.n, NPOOL);
    for (size_t i = 0; i < NPOOL; i++)
        assert_string_equal(d.pool.ids[i], POOL[i]);
    /* the order is a permutation of the pool */
    for (size_t i = 0; i < NPOOL; i++)
        assert_true(draw_ids_has(&d.order, POOL[i]));
    draw_row_cleanup(&d);
}

static void result_depends_on_the_entropy(void **state)
{
    (void)state;
    /* another entropy gives draw_order's other order, lists rebuilt not appended */
    char want[NPOOL][DRAW_ID_SIZE], first[NPOOL][DRAW_ID_SIZE];
    oracle(SEED, "btc:ffff", NPOOL, want);
    oracle(SEED, ENTROPY, NPOOL, first);
    assert_memory_not_equal(want, first, sizeof want); /* the two orders differ */
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    draw_result(&d, SEED, "btc:ffff");
    assert_int_equal(d.order.n, NPOOL);
    assert_int_equal(d.winners.n, 2);
    assert_int_equal(d.alternates.n, 3);
    assert_int_equal(d.representatives.n, 2);
    for (size_t i = 0; i < NPOOL; i++)
        assert_string_equal(d.order.ids[i], want[i]);
    assert_string_equal(d.winners.ids[0], want[0]);
    assert_string_equal(d.alternates.ids[0], want[2]);
    assert_string_equal(d.public_entropy, "btc:ffff");
    draw_row_cleanup(&d);
}

static void result_pool_smaller_than_winner_count_all_win(void **state)
{
    (void)state;
    char want[3][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, 3, want);
    struct draw_row d = frozen(3, 5);
    draw_result(&d, SEED, ENTROPY);
    assert_int_equal(d.winners.n, 3);
    assert_int_equal(d.representatives.n, 3);
    assert_int_equal(d.alternates.n, 0);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(d.winners.ids[i], want[i]);
        assert_string_equal(d.representatives.ids[i], want[i]);
    }
    draw_row_cleanup(&d);
}

static void result_pool_equal_to_winner_count_all_win(void **state)
{
    (void)state;
    struct draw_row d = frozen(NPOOL, (int)NPOOL);
    draw_result(&d, SEED, ENTROPY);
    assert_int_equal(d.winners.n, NPOOL);
    assert_int_equal(d.alternates.n, 0);
    draw_row_cleanup(&d);
}

static void result_empty_pool_no_one(void **state)
{
    (void)state;
    struct draw_row d = frozen(0, 2);
    draw_result(&d, SEED, ENTROPY);
    assert_int_equal(d.order.n, 0);
    assert_int_equal(d.winners.n, 0);
    assert_int_equal(d.alternates.n, 0);
    assert_int_equal(d.representatives.n, 0);
    assert_true(d.drawn);
    assert_string_equal(d.seed, SEED);
    assert_string_equal(d.public_entropy, ENTROPY);
    char promoted[37];
    assert_false(draw_decline(&d, POOL[0], promoted));
    assert_string_equal(promoted, "");
    assert_int_equal(d.declined.n, 0);
    draw_row_cleanup(&d);
}

/* --- declining ------------------------------------------------------------ */

/* A deep copy of the six lists' contents, to compare before and after. */
struct snapshot {
    size_t n[6];
    char ids[6][NPOOL][DRAW_ID_SIZE];
};

static void take(const struct draw_row *d, struct snapshot *s)
{
    const struct draw_ids *l[6] = {&d->pool,       &d->order,    &d->winners,
                                   &d->alternates, &d->declined, &d->representatives};
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < 6; i++) {
        s->n[i] = l[i]->n;
        for (size_t j = 0; j < l[i]->n && j < NPOOL; j++)
            memcpy(s->ids[i][j], l[i]->ids[j], DRAW_ID_SIZE);
    }
}

static void assert_unchanged(const struct draw_row *d, const struct snapshot *before)
{
    struct snapshot now;
    take(d, &now);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(now.n[i], before->n[i]);
        for (size_t j = 0; j < now.n[i] && j < NPOOL; j++)
            assert_string_equal(now.ids[i][j], before->ids[i][j]);
    }
}

static void assert_representatives(const struct draw_row *d, size_t n, const char *a, const char *b)
{
    assert_int_equal(d->representatives.n, n);
    if (a != NULL)
        assert_true(draw_ids_has(&d->representatives, a));
    if (b != NULL)
        assert_true(draw_ids_has(&d->representatives, b));
}

static void decline_by_a_non_representative_changes_nothing(void **state)
{
    (void)state;
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    struct snapshot before;
    take(&d, &before);
    char promoted[37];
    /* an alternate, someone outside the pool, an empty id */
    assert_false(draw_decline(&d, d.alternates.ids[0], promoted));
    assert_string_equal(promoted, "");
    assert_false(draw_decline(&d, "00000000-0000-4000-8000-000000000000", promoted));
    assert_string_equal(promoted, "");
    assert_false(draw_decline(&d, "", promoted));
    assert_unchanged(&d, &before);
    draw_row_cleanup(&d);
}

static void decline_by_a_winner_first_alternate_steps_in(void **state)
{
    (void)state;
    char want[NPOOL][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, NPOOL, want);
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, want[0], promoted));
    assert_string_equal(promoted, want[2]);
    assert_int_equal(d.declined.n, 1);
    assert_string_equal(d.declined.ids[0], want[0]);
    assert_representatives(&d, 2, want[1], want[2]);
    assert_false(draw_ids_has(&d.representatives, want[0]));
    /* the result itself stays: winners, alternates, order */
    assert_int_equal(d.winners.n, 2);
    assert_string_equal(d.winners.ids[0], want[0]);
    assert_int_equal(d.alternates.n, 3);
    assert_string_equal(d.alternates.ids[0], want[2]);
    assert_int_equal(d.order.n, NPOOL);
    draw_row_cleanup(&d);
}

static void decline_by_the_second_winner(void **state)
{
    (void)state;
    char want[NPOOL][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, NPOOL, want);
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, want[1], promoted));
    assert_string_equal(promoted, want[2]);
    assert_representatives(&d, 2, want[0], want[2]);
    assert_false(draw_ids_has(&d.representatives, want[1]));
    draw_row_cleanup(&d);
}

static void decline_by_a_promoted_alternate_next_alternate(void **state)
{
    (void)state;
    char want[NPOOL][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, NPOOL, want);
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, want[0], promoted));
    assert_string_equal(promoted, want[2]);
    assert_true(draw_decline(&d, want[2], promoted));
    assert_string_equal(promoted, want[3]);
    assert_int_equal(d.declined.n, 2);
    assert_string_equal(d.declined.ids[0], want[0]);
    assert_string_equal(d.declined.ids[1], want[2]);
    assert_representatives(&d, 2, want[1], want[3]);
    assert_false(draw_ids_has(&d.representatives, want[2]));
    draw_row_cleanup(&d);
}

static void decline_two_winners_two_alternates_in_order(void **state)
{
    (void)state;
    char want[NPOOL][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, NPOOL, want);
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, want[1], promoted));
    assert_string_equal(promoted, want[2]);
    assert_true(draw_decline(&d, want[0], promoted));
    assert_string_equal(promoted, want[3]);
    assert_representatives(&d, 2, want[2], want[3]);
    draw_row_cleanup(&d);
}

static void decline_with_no_alternate_left_shrinks(void **state)
{
    (void)state;
    char want[3][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, 3, want);
    struct draw_row d = frozen(3, 2); /* two winners, one alternate */
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, want[0], promoted));
    assert_string_equal(promoted, want[2]);
    assert_representatives(&d, 2, want[1], want[2]);
    assert_true(draw_decline(&d, want[1], promoted));
    assert_string_equal(promoted, ""); /* none left */
    assert_representatives(&d, 1, want[2], NULL);
    assert_true(draw_decline(&d, want[2], promoted));
    assert_string_equal(promoted, "");
    assert_int_equal(d.representatives.n, 0);
    assert_int_equal(d.declined.n, 3);
    /* nobody left to decline */
    assert_false(draw_decline(&d, want[0], promoted));
    assert_int_equal(d.declined.n, 3);
    draw_row_cleanup(&d);
}

static void decline_when_all_won_shrinks(void **state)
{
    (void)state;
    char want[2][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, 2, want);
    struct draw_row d = frozen(2, 5);
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, want[1], promoted));
    assert_string_equal(promoted, "");
    assert_representatives(&d, 1, want[0], NULL);
    assert_string_equal(d.representatives.ids[0], want[0]);
    draw_row_cleanup(&d);
}

static void decline_twice_by_the_same_registrar_refused(void **state)
{
    (void)state;
    char want[NPOOL][DRAW_ID_SIZE];
    oracle(SEED, ENTROPY, NPOOL, want);
    struct draw_row d = frozen(NPOOL, 2);
    draw_result(&d, SEED, ENTROPY);
    char promoted[37];
    assert_true(draw_decline(&d, want[0], promoted));
    struct snapshot before;
    take(&d, &before);
    assert_false(draw_decline(&d, want[0], promoted));
    assert_string_equal(promoted, "");
    assert_unchanged(&d, &before);
    /* the alternate it brought in is still the only newcomer */
    assert_representatives(&d, 2, want[1], want[2]);
    assert_false(draw_ids_has(&d.representatives, want[3]));
    draw_row_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_every_edge_role_and_state),
        cmocka_unit_test(freeze_and_run_are_staff_only),
        cmocka_unit_test(run_only_from_frozen),
        cmocka_unit_test(decline_by_staff_or_registrar_once_drawn),
        cmocka_unit_test(machine_actions_named_with_their_effects),
        cmocka_unit_test(allowed_actions_per_state_and_role),
        cmocka_unit_test(status_names_round_trip),
        cmocka_unit_test(ids_push_keeps_order_and_has_finds),
        cmocka_unit_test(ids_push_copies_the_text),
        cmocka_unit_test(ids_push_grows_past_many),
        cmocka_unit_test(ids_free_empties_and_may_repeat),
        cmocka_unit_test(row_cleanup_frees_every_list_and_text),
        cmocka_unit_test(result_first_winner_count_win_the_rest_alternate),
        cmocka_unit_test(result_representatives_are_the_winners),
        cmocka_unit_test(result_sets_seed_entropy_and_drawn),
        cmocka_unit_test(result_leaves_the_pool_as_frozen),
        cmocka_unit_test(result_depends_on_the_entropy),
        cmocka_unit_test(result_pool_smaller_than_winner_count_all_win),
        cmocka_unit_test(result_pool_equal_to_winner_count_all_win),
        cmocka_unit_test(result_empty_pool_no_one),
        cmocka_unit_test(decline_by_a_non_representative_changes_nothing),
        cmocka_unit_test(decline_by_a_winner_first_alternate_steps_in),
        cmocka_unit_test(decline_by_the_second_winner),
        cmocka_unit_test(decline_by_a_promoted_alternate_next_alternate),
        cmocka_unit_test(decline_two_winners_two_alternates_in_order),
        cmocka_unit_test(decline_with_no_alternate_left_shrinks),
        cmocka_unit_test(decline_when_all_won_shrinks),
        cmocka_unit_test(decline_twice_by_the_same_registrar_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
