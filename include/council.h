/* The Conselho Consultivo (DOMAIN.md section 9): terms, nominations and the
 * secret election's arithmetic. Pure: no I/O.
 *
 * Terms:
 *   action            who    from        to
 *   open-nominations  staff  draft       nominating
 *   open-voting       staff  nominating  voting
 *   close             staff  voting      closed      (publishes the results)
 *   edit (PATCH)      staff  draft       (same)
 *
 * Nominations (a registrar nominates one person per term while nominating):
 *   action  who    from       to        reason
 *   accept  staff  submitted  accepted
 *   reject  staff  submitted  rejected  required
 * Outside the table: both only while the term is nominating.
 *
 * A ballot's hash (the voter's receipt) is SHA-256 over the term id (36
 * ASCII characters), a random 32-byte nonce (raw), then the chosen
 * nomination ids, sorted, as lowercase UUID text, each preceded by ','. The
 * nonce is never stored: the hash cannot be recomputed from the choices.
 * ballots_hash is SHA-256 over the ballots' hashes (64 hex characters each)
 * concatenated in ascending order. The elected: the accepted nominations with
 * at least one vote, by votes (descending), ties broken by the lot
 * SHA-256(ballots_hash hex || nomination id text) ascending, the first
 * registrar_seats of them. */
#ifndef PARCERIA_COUNCIL_H
#define PARCERIA_COUNCIL_H

#include "field_issue.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>

enum council_term_status {
    TERM_DRAFT,
    TERM_NOMINATING,
    TERM_VOTING,
    TERM_CLOSED,
};
#define TERM_STATUS_COUNT 4

enum council_term_action {
    TERM_ACT_OPEN_NOMINATIONS,
    TERM_ACT_OPEN_VOTING,
    TERM_ACT_CLOSE,
    TERM_ACT_EDIT,
};
#define TERM_ACTION_COUNT 4

enum council_nomination_status {
    NOMINATION_SUBMITTED,
    NOMINATION_ACCEPTED,
    NOMINATION_REJECTED,
};
#define NOMINATION_STATUS_COUNT 3

enum council_nomination_action {
    NOMINATION_ACT_ACCEPT,
    NOMINATION_ACT_REJECT,
};
#define NOMINATION_ACTION_COUNT 2

struct machine;
extern const struct machine council_term_machine;
extern const struct machine council_nomination_machine;

#define COUNCIL_TEXT_MAX 801 /* 200 characters of UTF-8, with the NUL */
#define COUNCIL_SEATS_MAX 10
#define COUNCIL_HEX 65 /* a SHA-256 in hex, with the NUL */
#define COUNCIL_NONCE_BYTES 32
#define COUNCIL_TENURE_MONTHS 12

struct council_term_row {
    char id[37];
    char title[COUNCIL_TEXT_MAX];
    char starts_on[11];
    char ends_on[11];
    int registrar_seats;
    enum council_term_status status;
    int nominations; /* accepted ones */
    int voters;
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void council_term_row_cleanup(struct council_term_row *row);

struct council_nomination_row {
    char id[37];
    char term_id[37];
    char registrar_id[37];
    char registrar_name[COUNCIL_TEXT_MAX]; /* its trade name */
    char nominee_name[COUNCIL_TEXT_MAX];
    char *statement; /* owned */
    enum council_nomination_status status;
    char *reason; /* owned, or NULL */
    enum council_term_status term_status;
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void council_nomination_row_cleanup(struct council_nomination_row *row);

const char *council_term_status_name(enum council_term_status status);
bool council_term_status_parse(const char *name, enum council_term_status *out) WARN_UNUSED;
const char *council_nomination_status_name(enum council_nomination_status status);
bool council_nomination_status_parse(const char *name,
                                     enum council_nomination_status *out) WARN_UNUSED;
/* accept and reject are ruled out unless the term is nominating (machine bits). */
unsigned council_nomination_ruled_out(const struct council_nomination_row *row);

/* Whether s is a calendar date YYYY-MM-DD. */
bool council_date_valid(const char *s);

#define COUNCIL_TERM_MAX_ISSUES 1
/* The rules across a term's fields: it ends after it starts (/ends_on
 * before_starts_on; dates compare as text). Writes at most cap issues;
 * returns how many. */
size_t council_term_check(const struct council_term_row *t, struct field_issue *out, size_t cap);

/* Who may nominate: the registrar's facts, as of the transaction's clock. */
struct council_standing {
    bool found;
    bool accredited; /* status accredited (not suspended, not terminated) */
    bool tenure;     /* accredited_at at least COUNCIL_TENURE_MONTHS ago */
};
/* The failed check's name ("accredited", "tenure"), or NULL when eligible
 * to nominate; voting needs "accredited" only (tenure false ignored). */
const char *council_refusal(const struct council_standing *s, bool need_tenure);

/* One ballot: its hash and its choices. */
struct council_ballot {
    char hash[COUNCIL_HEX];
    size_t count;
    char choices[COUNCIL_SEATS_MAX][37];
};
/* Sorts the ballot's choices ascending. */
void council_ballot_sort(struct council_ballot *b);
/* Writes the hash of b (choices sorted) into b->hash (see above). */
void council_ballot_seal(struct council_ballot *b, const char *term_id,
                         const unsigned char nonce[COUNCIL_NONCE_BYTES]);
/* Sorts n ballots by hash ascending. */
void council_ballots_sort(struct council_ballot *ballots, size_t n);
/* SHA-256 (hex) of the n ballots' hashes concatenated in their order. */
void council_ballots_hash(const struct council_ballot *ballots, size_t n, char out[COUNCIL_HEX]);

/* One nomination's line in the tally. */
struct council_tally {
    char nomination_id[37];
    int votes;
    char lot[COUNCIL_HEX]; /* the tie-break (see above) */
    bool elected;
};
/* Counts the n ballots for the m nominations of tally (ids set by the
 * caller), draws the lots from ballots_hash, orders tally by votes then
 * lot, and marks the first seats with a vote as elected. */
void council_count(struct council_tally *tally, size_t m, const struct council_ballot *ballots,
                   size_t n, const char *ballots_hash, int seats);

#endif
