/* Events and their registrations (DOMAIN.md section 6): the two status
 * machines, the rows, the rules across an event's fields, and the waitlist.
 * Pure: no I/O.
 *
 * Events:
 *   action         who    from               to         effects
 *   publish        staff  draft              published
 *   cancel         staff  draft, published   cancelled  registrations (cancels them all)
 *   close          staff  published          closed
 *   edit (PATCH)   staff  draft, published   (same)     promote (a capacity raised)
 *
 * Registrations:
 *   action         who              from                   to         effects
 *   cancel         staff, registrar confirmed, waitlisted  cancelled  promote
 *   check-in       staff            confirmed              attended
 *   edit (PATCH)   staff, registrar confirmed, waitlisted  (same)     promote
 *
 * staff: ROLE_STAFF or ROLE_ADMIN; registrar: its own. Outside the tables:
 * cancel and edit need the event published; check-in needs it published or
 * closed, with its check-in still open (a draw's freeze closes it).
 * An edit of a confirmed registration whose attendees no longer fit is
 * refused (it is never waitlisted); "promote" confirms the head of the
 * waitlist while its seats fit. */
#ifndef PARCERIA_EVENT_H
#define PARCERIA_EVENT_H

#include "error_code.h"
#include "field_issue.h"
#include "program.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum event_kind {
    EVENT_SUMMIT,
    EVENT_REGISTRAR_MEETING,
    EVENT_CENTR_REGISTRAR_DAY,
    EVENT_CONFERENCE,
    EVENT_TRAINING,
};
#define EVENT_KIND_COUNT 5
extern const char *const event_kind_names[]; /* NULL-terminated */

enum event_status {
    EVENT_DRAFT,
    EVENT_PUBLISHED,
    EVENT_CANCELLED,
    EVENT_CLOSED,
};
#define EVENT_STATUS_COUNT 4

enum event_action {
    EVENT_ACT_PUBLISH,
    EVENT_ACT_CANCEL,
    EVENT_ACT_CLOSE,
    EVENT_ACT_EDIT,
};
#define EVENT_ACTION_COUNT 4

enum event_effect {
    EVENT_EFFECT_REGISTRATIONS = 1u << 0,
    EVENT_EFFECT_PROMOTE = 1u << 1,
};

struct machine;
extern const struct machine event_machine;

#define EVENT_TEXT_MAX 801 /* 200 characters of UTF-8, with the NUL */
#define EVENT_ELIGIBILITY_ACCREDITED "accredited"

struct event_row {
    char id[37];
    enum event_kind kind;
    char title[EVENT_TEXT_MAX];
    char *description; /* owned, or NULL */
    char location[EVENT_TEXT_MAX];
    char starts_at[32];
    char ends_at[32];
    int capacity;      /* 0: unlimited */
    char opens_at[32]; /* registration window; empty: no limit */
    char closes_at[32];
    char eligibility[PROGRAM_CODE_MAX + 1]; /* "accredited" or a program code */
    int max_attendees;
    bool waitlist;
    bool check_in_closed;
    int seats_taken;
    int waitlist_length;
    enum event_status status;
    int sequence; /* iCalendar SEQUENCE */
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void event_row_cleanup(struct event_row *row);

const char *event_status_name(enum event_status status);
bool event_status_parse(const char *name, enum event_status *out) WARN_UNUSED;
const char *event_kind_name(enum event_kind kind);
bool event_kind_parse(const char *name, enum event_kind *out) WARN_UNUSED;
/* Whether text is an event's eligibility: "accredited" or a program code. */
bool event_eligibility_valid(const char *text);
/* The program an event requires (its eligibility), or NULL for "accredited". */
const char *event_required_program(const struct event_row *e);

#define EVENT_MAX_ISSUES 3
/* The rules across fields: it ends after it starts, its registration
 * closes after it opens, its capacity holds the seats already given.
 * Writes at most cap issues; returns how many. */
size_t event_check(const struct event_row *e, struct field_issue *out, size_t cap);

/* --- registrations ------------------------------------------------------- */

enum registration_status {
    REGISTRATION_CONFIRMED,
    REGISTRATION_WAITLISTED,
    REGISTRATION_ATTENDED,
    REGISTRATION_CANCELLED,
};
#define REGISTRATION_STATUS_COUNT 4

enum registration_action {
    REGISTRATION_ACT_CANCEL,
    REGISTRATION_ACT_CHECK_IN,
    REGISTRATION_ACT_EDIT,
};
#define REGISTRATION_ACTION_COUNT 3

enum registration_effect {
    REGISTRATION_EFFECT_PROMOTE = 1u << 0,
};

extern const struct machine registration_machine;

struct registration_row {
    char id[37];
    char event_id[37];
    char registrar_id[37];
    enum registration_status status;
    json_t *attendees; /* owned: [{"name", "email"}] */
    int seats;
    int waitlist_position; /* 0: not waitlisted */
    bool covered_expenses;
    char draw_id[37]; /* empty: none */
    char *reason;     /* owned, or NULL */
    /* the event's, read with it */
    enum event_status event_status;
    bool event_check_in_closed;
    int event_max_attendees;
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void registration_row_cleanup(struct registration_row *row);

const char *registration_status_name(enum registration_status status);
bool registration_status_parse(const char *name, enum registration_status *out) WARN_UNUSED;
/* The actions the event's state rules out now (machine bits). */
unsigned registration_ruled_out(const struct registration_row *row);

/* How many registrations at the head of a waitlist (their seats, in arrival
 * order) are promoted when capacity (0: unlimited) has taken seats given:
 * the head while its seats fit; the first that does not fit stops it, so
 * nobody behind jumps ahead. */
size_t registration_promotable(int capacity, int taken, const int *waiting_seats, size_t n);

#endif
