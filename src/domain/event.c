/* Events and registrations: their status machines (tabled in event.h) as
 * data for the machine engine, the rules across an event's fields, and the
 * waitlist's promotion. Pure. */
#include "event.h"

#include "machine.h"
#include "role.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define EB(s) MACHINE_BIT(EVENT_##s)
#define RB(s) MACHINE_BIT(REGISTRATION_##s)

static const char *const event_states[EVENT_STATUS_COUNT] = {
    [EVENT_DRAFT] = "draft",
    [EVENT_PUBLISHED] = "published",
    [EVENT_CANCELLED] = "cancelled",
    [EVENT_CLOSED] = "closed",
};

static const struct machine_action event_actions[EVENT_ACTION_COUNT] = {
    [EVENT_ACT_PUBLISH] = {"publish", STAFF, EB(DRAFT), EVENT_PUBLISHED, false, 0},
    [EVENT_ACT_CANCEL] = {"cancel", STAFF, EB(DRAFT) | EB(PUBLISHED), EVENT_CANCELLED, false,
                          EVENT_EFFECT_REGISTRATIONS},
    [EVENT_ACT_CLOSE] = {"close", STAFF, EB(PUBLISHED), EVENT_CLOSED, false, 0},
    [EVENT_ACT_EDIT] = {"edit", STAFF, EB(DRAFT) | EB(PUBLISHED), MACHINE_SAME, false,
                        EVENT_EFFECT_PROMOTE},
};

const struct machine event_machine = {event_states, EVENT_STATUS_COUNT, event_actions,
                                      EVENT_ACTION_COUNT};

const char *const event_kind_names[EVENT_KIND_COUNT + 1] = {
    [EVENT_SUMMIT] = "summit",
    [EVENT_REGISTRAR_MEETING] = "registrar_meeting",
    [EVENT_CENTR_REGISTRAR_DAY] = "centr_registrar_day",
    [EVENT_CONFERENCE] = "conference",
    [EVENT_TRAINING] = "training",
    [EVENT_KIND_COUNT] = NULL,
};

void event_row_cleanup(struct event_row *row)
{
    free(row->description);
    row->description = NULL;
}

const char *event_status_name(enum event_status status)
{
    return (unsigned)status < EVENT_STATUS_COUNT ? event_states[status] : NULL;
}

bool event_status_parse(const char *name, enum event_status *out)
{
    int i = machine_state(&event_machine, name);
    if (i >= 0)
        *out = (enum event_status)i;
    return i >= 0;
}

const char *event_kind_name(enum event_kind kind)
{
    return (unsigned)kind < EVENT_KIND_COUNT ? event_kind_names[kind] : NULL;
}

bool event_kind_parse(const char *name, enum event_kind *out)
{
    for (int i = 0; name != NULL && i < EVENT_KIND_COUNT; i++)
        if (strcmp(name, event_kind_names[i]) == 0)
            return *out = (enum event_kind)i, true;
    return false;
}

bool event_eligibility_valid(const char *text)
{
    return text != NULL &&
           (strcmp(text, EVENT_ELIGIBILITY_ACCREDITED) == 0 || validate_program_code(text));
}

const char *event_required_program(const struct event_row *e)
{
    return strcmp(e->eligibility, EVENT_ELIGIBILITY_ACCREDITED) == 0 ? NULL : e->eligibility;
}

size_t event_check(const struct event_row *e, struct field_issue *out, size_t cap)
{
    struct field_issues is = {out, cap, 0};
    if (e->starts_at[0] && e->ends_at[0] && !program_time_before(e->starts_at, e->ends_at))
        field_issue_add(&is, ERR_BEFORE_START, "/ends_at");
    if (e->opens_at[0] && e->closes_at[0] && !program_time_before(e->opens_at, e->closes_at))
        field_issue_add(&is, ERR_BEFORE_OPENING, "/registration_closes_at");
    if (e->capacity > 0 && e->capacity < e->seats_taken)
        field_issue_add(&is, ERR_BELOW_TAKEN, "/capacity");
    return field_issues_count(&is);
}

/* --- registrations ------------------------------------------------------- */

static const char *const registration_states[REGISTRATION_STATUS_COUNT] = {
    [REGISTRATION_CONFIRMED] = "confirmed",
    [REGISTRATION_WAITLISTED] = "waitlisted",
    [REGISTRATION_ATTENDED] = "attended",
    [REGISTRATION_CANCELLED] = "cancelled",
};

static const struct machine_action registration_actions[REGISTRATION_ACTION_COUNT] = {
    [REGISTRATION_ACT_CANCEL] = {"cancel", STAFF | ROLE_REGISTRAR, RB(CONFIRMED) | RB(WAITLISTED),
                                 REGISTRATION_CANCELLED, false, REGISTRATION_EFFECT_PROMOTE},
    [REGISTRATION_ACT_CHECK_IN] = {"check-in", STAFF, RB(CONFIRMED), REGISTRATION_ATTENDED, false,
                                   0},
    [REGISTRATION_ACT_EDIT] = {"edit", STAFF | ROLE_REGISTRAR, RB(CONFIRMED) | RB(WAITLISTED),
                               MACHINE_SAME, false, REGISTRATION_EFFECT_PROMOTE},
};

const struct machine registration_machine = {registration_states, REGISTRATION_STATUS_COUNT,
                                             registration_actions, REGISTRATION_ACTION_COUNT};

void registration_row_cleanup(struct registration_row *row)
{
    json_decref(row->attendees);
    row->attendees = NULL;
    free(row->reason);
    row->reason = NULL;
}

const char *registration_status_name(enum registration_status status)
{
    return (unsigned)status < REGISTRATION_STATUS_COUNT ? registration_states[status] : NULL;
}

bool registration_status_parse(const char *name, enum registration_status *out)
{
    int i = machine_state(&registration_machine, name);
    if (i >= 0)
        *out = (enum registration_status)i;
    return i >= 0;
}

unsigned registration_ruled_out(const struct registration_row *row)
{
    unsigned out = 0;
    if (row->event_status != EVENT_PUBLISHED)
        out |= MACHINE_BIT(REGISTRATION_ACT_CANCEL) | MACHINE_BIT(REGISTRATION_ACT_EDIT);
    bool checking_in = row->event_status == EVENT_PUBLISHED || row->event_status == EVENT_CLOSED;
    if (!checking_in || row->event_check_in_closed)
        out |= MACHINE_BIT(REGISTRATION_ACT_CHECK_IN);
    return out;
}

size_t registration_promotable(int capacity, int taken, const int *waiting_seats, size_t n)
{
    size_t k = 0;
    for (; k < n; k++) {
        if (capacity > 0 && taken + waiting_seats[k] > capacity)
            break;
        taken += waiting_seats[k];
    }
    return k;
}
