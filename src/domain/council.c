/* The Conselho Consultivo: its two machines (tabled in council.h), who may
 * nominate or vote, and the election's arithmetic (ballot hashes, the hash
 * of all ballots, the tally and its tie-break), which anyone can recompute
 * from the published ballots. Pure. */
#include "council.h"

#include "machine.h"
#include "role.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define TB(s) MACHINE_BIT(TERM_##s)
#define NB(s) MACHINE_BIT(NOMINATION_##s)

static const char *const term_states[TERM_STATUS_COUNT] = {
    [TERM_DRAFT] = "draft",
    [TERM_NOMINATING] = "nominating",
    [TERM_VOTING] = "voting",
    [TERM_CLOSED] = "closed",
};

static const struct machine_action term_actions[TERM_ACTION_COUNT] = {
    [TERM_ACT_OPEN_NOMINATIONS] = {"open-nominations", STAFF, TB(DRAFT), TERM_NOMINATING, false, 0},
    [TERM_ACT_OPEN_VOTING] = {"open-voting", STAFF, TB(NOMINATING), TERM_VOTING, false, 0},
    [TERM_ACT_CLOSE] = {"close", STAFF, TB(VOTING), TERM_CLOSED, false, 0},
    [TERM_ACT_EDIT] = {"edit", STAFF, TB(DRAFT), MACHINE_SAME, false, 0},
};

const struct machine council_term_machine = {term_states, TERM_STATUS_COUNT, term_actions,
                                             TERM_ACTION_COUNT};

static const char *const nomination_states[NOMINATION_STATUS_COUNT] = {
    [NOMINATION_SUBMITTED] = "submitted",
    [NOMINATION_ACCEPTED] = "accepted",
    [NOMINATION_REJECTED] = "rejected",
};

static const struct machine_action nomination_actions[NOMINATION_ACTION_COUNT] = {
    [NOMINATION_ACT_ACCEPT] = {"accept", STAFF, NB(SUBMITTED), NOMINATION_ACCEPTED, false, 0},
    [NOMINATION_ACT_REJECT] = {"reject", STAFF, NB(SUBMITTED), NOMINATION_REJECTED, true, 0},
};

const struct machine council_nomination_machine = {nomination_states, NOMINATION_STATUS_COUNT,
                                                   nomination_actions, NOMINATION_ACTION_COUNT};

void council_term_row_cleanup(struct council_term_row *row)
{
    (void)row; /* owns nothing */
}

void council_nomination_row_cleanup(struct council_nomination_row *row)
{
    free(row->statement);
    row->statement = NULL;
    free(row->reason);
    row->reason = NULL;
}

const char *council_term_status_name(enum council_term_status status)
{
    return (unsigned)status < TERM_STATUS_COUNT ? term_states[status] : NULL;
}

bool council_term_status_parse(const char *name, enum council_term_status *out)
{
    int i = machine_state(&council_term_machine, name);
    if (i >= 0)
        *out = (enum council_term_status)i;
    return i >= 0;
}

const char *council_nomination_status_name(enum council_nomination_status status)
{
    return (unsigned)status < NOMINATION_STATUS_COUNT ? nomination_states[status] : NULL;
}

bool council_nomination_status_parse(const char *name, enum council_nomination_status *out)
{
    int i = machine_state(&council_nomination_machine, name);
    if (i >= 0)
        *out = (enum council_nomination_status)i;
    return i >= 0;
}

unsigned council_nomination_ruled_out(const struct council_nomination_row *row)
{
    return row->term_status == TERM_NOMINATING
               ? 0
               : MACHINE_BIT(NOMINATION_ACT_ACCEPT) | MACHINE_BIT(NOMINATION_ACT_REJECT);
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool council_date_valid(const char *s)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

size_t council_term_check(const struct council_term_row *t, struct field_issue *out, size_t cap)
{
    struct field_issues is = {out, cap, 0};
    if (strcmp(t->starts_on, t->ends_on) >= 0)
        field_issue_add(&is, ERR_BEFORE_STARTS_ON, "/ends_on");
    return field_issues_count(&is);
}

const char *council_refusal(const struct council_standing *s, bool need_tenure)
{
    if (!s->found || !s->accredited)
        return "accredited";
    if (need_tenure && !s->tenure)
        return "tenure";
    return NULL;
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

void council_ballot_sort(struct council_ballot *b)
{
    qsort(b->choices, b->count, sizeof b->choices[0], id_cmp);
}

void council_ballot_seal(struct council_ballot *b, const char *term_id,
                         const unsigned char nonce[COUNCIL_NONCE_BYTES])
{
    crypto_hash_sha256_state st;
    unsigned char digest[crypto_hash_sha256_BYTES];
    council_ballot_sort(b);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)term_id, strlen(term_id));
    crypto_hash_sha256_update(&st, nonce, COUNCIL_NONCE_BYTES);
    for (size_t i = 0; i < b->count; i++) {
        crypto_hash_sha256_update(&st, (const unsigned char *)",", 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)b->choices[i], strlen(b->choices[i]));
    }
    crypto_hash_sha256_final(&st, digest);
    util_hex(digest, sizeof digest, b->hash);
}

static int ballot_cmp(const void *a, const void *b)
{
    return strcmp(((const struct council_ballot *)a)->hash,
                  ((const struct council_ballot *)b)->hash);
}

void council_ballots_sort(struct council_ballot *ballots, size_t n)
{
    if (n > 0)
        qsort(ballots, n, sizeof *ballots, ballot_cmp);
}

void council_ballots_hash(const struct council_ballot *ballots, size_t n, char out[COUNCIL_HEX])
{
    crypto_hash_sha256_state st;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < n; i++)
        crypto_hash_sha256_update(&st, (const unsigned char *)ballots[i].hash,
                                  strlen(ballots[i].hash));
    crypto_hash_sha256_final(&st, digest);
    util_hex(digest, sizeof digest, out);
}

static int tally_cmp(const void *a, const void *b)
{
    const struct council_tally *x = a, *y = b;
    if (x->votes != y->votes)
        return x->votes > y->votes ? -1 : 1;
    return strcmp(x->lot, y->lot);
}

void council_count(struct council_tally *tally, size_t m, const struct council_ballot *ballots,
                   size_t n, const char *ballots_hash, int seats)
{
    for (size_t j = 0; j < m; j++) {
        char lot[COUNCIL_HEX + 37];
        tally[j].votes = 0;
        tally[j].elected = false;
        snprintf(lot, sizeof lot, "%s%s", ballots_hash, tally[j].nomination_id);
        util_sha256_hex(lot, strlen(lot), tally[j].lot);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < ballots[i].count; c++)
            for (size_t j = 0; j < m; j++)
                if (strcmp(ballots[i].choices[c], tally[j].nomination_id) == 0)
                    tally[j].votes++;
    if (m > 0)
        qsort(tally, m, sizeof *tally, tally_cmp);
    for (size_t j = 0; j < m && (int)j < seats; j++)
        tally[j].elected = tally[j].votes > 0;
}
