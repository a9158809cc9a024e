/* The Sitestar.pt contest's machines (tabled in sitestar.h), an edition's
 * phase and the selection's ranking. Pure. */
#include "sitestar.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)

static const char *const edition_states[EDITION_STATUS_COUNT] = {"open", "selected"};
static const struct machine_action edition_actions[EDITION_ACTION_COUNT] = {
    [EDITION_ACT_EDIT] = {"edit", STAFF, MACHINE_BIT(EDITION_OPEN), MACHINE_SAME, false, 0},
    [EDITION_ACT_SELECT] = {"select", STAFF, MACHINE_BIT(EDITION_OPEN), EDITION_SELECTED, false, 0},
};
const struct machine edition_machine = {edition_states, EDITION_STATUS_COUNT, edition_actions,
                                        EDITION_ACTION_COUNT};

static const char *const entry_states[ENTRY_STATUS_COUNT] = {
    [ENTRY_SUBMITTED] = "submitted",       [ENTRY_APPROVED] = "approved",
    [ENTRY_NOT_SELECTED] = "not_selected", [ENTRY_DISQUALIFIED] = "disqualified",
    [ENTRY_WITHDRAWN] = "withdrawn",
};
static const struct machine_action entry_actions[ENTRY_ACTION_COUNT] = {
    [ENTRY_ACT_DISQUALIFY] = {"disqualify", STAFF, MACHINE_BIT(ENTRY_SUBMITTED), ENTRY_DISQUALIFIED,
                              true, 0},
    [ENTRY_ACT_WITHDRAW] = {"withdraw", ROLE_TEACHER, MACHINE_BIT(ENTRY_SUBMITTED), ENTRY_WITHDRAWN,
                            false, 0},
    [ENTRY_ACT_EDIT] = {"edit", STAFF | ROLE_TEACHER, MACHINE_BIT(ENTRY_APPROVED), MACHINE_SAME,
                        false, 0},
};
const struct machine entry_machine = {entry_states, ENTRY_STATUS_COUNT, entry_actions,
                                      ENTRY_ACTION_COUNT};

static const char *const phases[] = {"upcoming", "submissions", "scoring", "selected"};

const char *edition_phase_name(enum edition_phase phase)
{
    return (unsigned)phase < sizeof phases / sizeof *phases ? phases[phase] : NULL;
}

void edition_row_cleanup(struct edition_row *row)
{
    (void)row; /* owns nothing */
}

enum edition_phase edition_phase(const struct edition_row *e)
{
    if (e->status == EDITION_SELECTED)
        return PHASE_SELECTED;
    if (e->now_us < e->opens_us)
        return PHASE_UPCOMING;
    return e->now_us < e->closes_us ? PHASE_SUBMISSIONS : PHASE_SCORING;
}

int sitestar_key_seconds(const struct edition_row *e)
{
    long long end_us = e->closes_us + (long long)e->benefit_months * 31 * 86400 * 1000000LL;
    long long left = (end_us - e->now_us) / 1000000LL;
    return left < 1 ? 1 : left > 0x7fffffff ? 0x7fffffff : (int)left;
}

void entry_row_cleanup(struct entry_row *row)
{
    json_decref(row->school);
    json_decref(row->teacher);
    free(row->title);
    free(row->description);
    free(row->site_url);
    free(row->reason);
    row->school = row->teacher = NULL;
    row->title = row->description = row->site_url = row->reason = NULL;
}

const char *entry_status_name(enum entry_status status)
{
    return (unsigned)status < ENTRY_STATUS_COUNT ? entry_states[status] : NULL;
}

bool entry_status_parse(const char *name, enum entry_status *out)
{
    int i = machine_state(&entry_machine, name);
    if (i >= 0)
        *out = (enum entry_status)i;
    return i >= 0;
}

unsigned entry_ruled_out(const struct entry_row *row)
{
    unsigned out = 0;
    if (row->scores_count > 0)
        out |= MACHINE_BIT(ENTRY_ACT_WITHDRAW);
    if (row->voucher_code[0] == '\0' || row->voucher_status != VOUCHER_REDEEMED)
        out |= MACHINE_BIT(ENTRY_ACT_EDIT);
    return out;
}

static int better(const void *pa, const void *pb)
{
    const struct entry_rank *a = pa, *b = pb;
    if (a->scored != b->scored)
        return a->scored ? -1 : 1;
    if (a->scored && a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->submitted_us != b->submitted_us)
        return a->submitted_us < b->submitted_us ? -1 : 1;
    return strcmp(a->id, b->id);
}

void sitestar_rank(struct entry_rank *entries, size_t n)
{
    qsort(entries, n, sizeof *entries, better);
}
