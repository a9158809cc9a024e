/* The Sitestar.pt contest (DOMAIN.md section 5): editions and their entries,
 * both machines, the phase of an edition, and the selection's ranking. Pure:
 * no I/O.
 *
 * Edition:  action       who    from   to
 *           edit (PATCH) staff  open   (unchanged)
 *           select       staff  open   selected   (again: nothing changes)
 *
 * Entry:    action         who      from       to
 *           disqualify (R) staff    submitted  disqualified
 *           withdraw       teacher  submitted  withdrawn   (while no juror has scored it)
 *           edit (PATCH)   staff,   approved   (unchanged) (site_url, once its voucher is
 *                          teacher                          redeemed)
 *
 * Selection moves submitted entries to approved or not_selected. Students
 * are minors: an entry holds no student names. */
#ifndef PARCERIA_SITESTAR_H
#define PARCERIA_SITESTAR_H

#include "status.h"
#include "voucher.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum edition_status { EDITION_OPEN, EDITION_SELECTED };
#define EDITION_STATUS_COUNT 2
enum edition_action { EDITION_ACT_EDIT, EDITION_ACT_SELECT };
#define EDITION_ACTION_COUNT 2

enum entry_status {
    ENTRY_SUBMITTED,
    ENTRY_APPROVED,
    ENTRY_NOT_SELECTED,
    ENTRY_DISQUALIFIED,
    ENTRY_WITHDRAWN,
};
#define ENTRY_STATUS_COUNT 5
enum entry_action { ENTRY_ACT_DISQUALIFY, ENTRY_ACT_WITHDRAW, ENTRY_ACT_EDIT };
#define ENTRY_ACTION_COUNT 3

struct machine;
extern const struct machine edition_machine;
extern const struct machine entry_machine;

/* Where an edition stands at a moment. */
enum edition_phase { PHASE_UPCOMING, PHASE_SUBMISSIONS, PHASE_SCORING, PHASE_SELECTED };
const char *edition_phase_name(enum edition_phase phase);

struct edition_row {
    char year[8]; /* its key, as text: "2027" */
    char program[PROGRAM_CODE_MAX + 1];
    enum edition_status status;
    char opens_at[32], closes_at[32];
    long long opens_us, closes_us,
        now_us; /* the same, and the reading's clock, µs since the epoch */
    int approved_quota, benefit_months;
    char selected_at[32];
    int approved_count, not_selected_count;
    int version;
    char created_at[32], updated_at[32];
};
void edition_row_cleanup(struct edition_row *row);
enum edition_phase edition_phase(const struct edition_row *row);
/* How long from the reading's clock an entry's access key lasts: until the
 * edition ends, benefit_months (of 31 days) after submissions close, when
 * the sites built with its vouchers have had their year. */
int sitestar_key_seconds(const struct edition_row *row);

struct entry_row {
    char id[37];
    int year;
    enum entry_status status;
    json_t *school, *teacher; /* owned */
    int team_size;
    char *title, *description; /* owned */
    char proposed_domain[254];
    bool scored;
    double score;
    int scores_count;
    char voucher_code[15];              /* canonical, or empty */
    enum voucher_status voucher_status; /* when voucher_code is set */
    char *site_url, *reason;            /* owned, or NULL */
    char submitted_at[32];
    int version;
    char created_at[32], updated_at[32], status_changed_at[32];
};
void entry_row_cleanup(struct entry_row *row);
const char *entry_status_name(enum entry_status status);
bool entry_status_parse(const char *name, enum entry_status *out) WARN_UNUSED;
/* withdraw once a juror has scored; edit until its voucher is redeemed. */
unsigned entry_ruled_out(const struct entry_row *row);

/* An entry as the selection ranks it. */
struct entry_rank {
    size_t index; /* its place in the caller's array */
    bool scored;
    double score;
    long long submitted_us;
    char id[37]; /* the last tie-breaker: a stable order */
};
/* Orders entries best first: scored before unscored, higher score first,
 * then earlier submission, then id. */
void sitestar_rank(struct entry_rank *entries, size_t n);

#endif
