/* Programs: the status machine (tabled in program.h) as data for the
 * machine engine, and the rules across a program's fields. Pure. */
#include "program.h"

#include "machine.h"
#include "role.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define LIVE (MACHINE_BIT(PROGRAM_DRAFT) | MACHINE_BIT(PROGRAM_OPEN) | MACHINE_BIT(PROGRAM_CLOSED))

static const char *const states[PROGRAM_STATUS_COUNT] = {
    [PROGRAM_DRAFT] = "draft",
    [PROGRAM_OPEN] = "open",
    [PROGRAM_CLOSED] = "closed",
    [PROGRAM_ARCHIVED] = "archived",
};

static const struct machine_action actions[PROGRAM_ACTION_COUNT] = {
    [PROGRAM_ACT_OPEN] = {"open", STAFF, MACHINE_BIT(PROGRAM_DRAFT), PROGRAM_OPEN, false, 0},
    [PROGRAM_ACT_CLOSE] = {"close", STAFF, MACHINE_BIT(PROGRAM_OPEN), PROGRAM_CLOSED, false, 0},
    [PROGRAM_ACT_ARCHIVE] = {"archive", STAFF, MACHINE_BIT(PROGRAM_CLOSED), PROGRAM_ARCHIVED, false,
                             0},
    [PROGRAM_ACT_EDIT] = {"edit", STAFF, LIVE, MACHINE_SAME, false, 0},
};

const struct machine program_machine = {states, PROGRAM_STATUS_COUNT, actions,
                                        PROGRAM_ACTION_COUNT};

const char *const program_kind_names[PROGRAM_KIND_COUNT + 1] = {
    [PROGRAM_STANDING] = "standing",
    [PROGRAM_CALL] = "call",
    [PROGRAM_CONTEST] = "contest",
    [PROGRAM_KIND_COUNT] = NULL,
};

void program_row_cleanup(struct program_row *row)
{
    json_decref(row->name);
    json_decref(row->description);
    row->name = row->description = NULL;
}

const char *program_status_name(enum program_status status)
{
    return (unsigned)status < PROGRAM_STATUS_COUNT ? states[status] : NULL;
}

bool program_status_parse(const char *name, enum program_status *out)
{
    int i = machine_state(&program_machine, name);
    if (i >= 0)
        *out = (enum program_status)i;
    return i >= 0;
}

const char *program_kind_name(enum program_kind kind)
{
    return (unsigned)kind < PROGRAM_KIND_COUNT ? program_kind_names[kind] : NULL;
}

bool program_kind_parse(const char *name, enum program_kind *out)
{
    for (int i = 0; name != NULL && i < PROGRAM_KIND_COUNT; i++)
        if (strcmp(name, program_kind_names[i]) == 0)
            return *out = (enum program_kind)i, true;
    return false;
}

#define CO_BRANDING_PREFIX "co-branding-"

enum program_form program_form(const struct program_row *p)
{
    bool co = strncmp(p->code, CO_BRANDING_PREFIX, strlen(CO_BRANDING_PREFIX)) == 0;
    return p->kind == PROGRAM_CALL && co ? PROGRAM_FORM_CO_BRANDING : PROGRAM_FORM_NONE;
}

const char *program_form_name(enum program_form form)
{
    return form == PROGRAM_FORM_CO_BRANDING ? "co-branding" : NULL;
}

/* Seconds since the epoch of a well-formed RFC 3339 UTC text (the schema
 * checked its shape), with its fraction as a tie-breaker in *frac. */
static time_t seconds(const char *ts, double *frac)
{
    struct tm tm = {0};
    *frac = 0;
    if (sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const char *dot = strchr(ts, '.');
    if (dot != NULL)
        sscanf(dot, "%lf", frac);
    return timegm(&tm);
}

bool program_time_before(const char *a, const char *b)
{
    double fa, fb;
    time_t ta = seconds(a, &fa), tb = seconds(b, &fb);
    return ta < tb || (ta == tb && fa < fb);
}

size_t program_check(const struct program_row *p, struct field_issue *out, size_t cap)
{
    struct field_issues is = {out, cap, 0};
    if (p->kind == PROGRAM_STANDING && p->year != 0)
        field_issue_add(&is, ERR_NOT_ALLOWED, "/year");
    if (p->kind != PROGRAM_STANDING && p->year == 0)
        field_issue_add(&is, ERR_REQUIRED, "/year");
    if (p->kind != PROGRAM_STANDING && p->year != 0) {
        char tail[8];
        snprintf(tail, sizeof tail, "-%d", p->year);
        size_t len = strlen(p->code), tlen = strlen(tail);
        if (len <= tlen || strcmp(p->code + len - tlen, tail) != 0)
            field_issue_add(&is, ERR_YEAR_MISMATCH, "/code");
    }
    if (p->opens_at[0] && p->closes_at[0] && !program_time_before(p->opens_at, p->closes_at))
        field_issue_add(&is, ERR_BEFORE_OPENING, "/enrollment_closes_at");
    for (size_t i = 0; i < p->nrequires; i++)
        if (strcmp(p->requires[i], p -> code) == 0)
            field_issue_add(&is, ERR_UNKNOWN_PROGRAM, "/requires/%zu", i);
    return field_issues_count(&is);
}
