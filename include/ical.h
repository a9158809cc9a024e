/* iCalendar text (RFC 5545) for the event calendars (spec: Calendars): one
 * VCALENDAR of METHOD:PUBLISH with a VEVENT per event. Lines end CRLF and
 * are folded at 75 octets without splitting a UTF-8 character; TEXT values
 * are escaped. Pure: builds a string, knows nothing of HTTP. */
#ifndef PARCERIA_ICAL_H
#define PARCERIA_ICAL_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>

#define ICAL_UTC_LEN 16 /* "20271014T090000Z" */

/* A calendar being written: ical_begin, ical_event for each event,
 * ical_end. Caller-owned; its fields are the builder's. */
struct ical {
    char *buf;
    size_t len, cap;
};

/* One event. Times are RFC 3339 UTC text as the store writes them,
 * "2027-10-14T09:00:00Z", with or without a fraction ("…:00.123456Z"); the
 * fraction is dropped. uid, the times, summary and status are required;
 * location, description and category may be NULL (then their line is
 * left out). status is "CONFIRMED", "TENTATIVE" or "CANCELLED". */
struct ical_event {
    const char *uid, *dtstamp, *last_modified, *starts_at, *ends_at;
    const char *summary, *location, *description, *status, *category;
    int sequence; /* >= 0 */
};

/* Starts the calendar: BEGIN:VCALENDAR, VERSION, PRODID, CALSCALE, METHOD
 * and, when calendar_name is not NULL, X-WR-CALNAME. */
void ical_begin(struct ical *c, const char *calendar_name);

/* Appends e as a VEVENT. False, and nothing appended, when a required
 * member is NULL, a time is not RFC 3339 UTC text, the status is none of
 * the three or the sequence is negative. */
bool ical_event(struct ical *c, const struct ical_event *e) WARN_UNUSED;

/* Ends the calendar (END:VCALENDAR). Returns the text, NUL-terminated, and
 * its length in *len (when len is not NULL); the caller frees it. c is
 * left empty. */
char *ical_end(struct ical *c, size_t *len);

/* Frees a calendar abandoned before ical_end (harmless after it). */
void ical_cleanup(struct ical *c);

/* The UTC basic form "20271014T090000Z" of RFC 3339 UTC text
 * "2027-10-14T09:00:00Z" or "2027-10-14T09:00:00.5Z" (any number of
 * fraction digits, dropped). False, out set to "", for anything else:
 * an offset, a missing Z, a non-digit, NULL. Checks the shape, not the
 * calendar (the store writes only real dates). */
bool ical_utc(const char *rfc3339, char out[ICAL_UTC_LEN + 1]);

/* The TEXT escaping of RFC 5545 3.3.11: backslash, ';' and ',' get a
 * backslash, a newline (LF, CRLF or a lone CR) becomes "\n"; other control
 * characters but TAB, which a TEXT value may not hold, are dropped.
 * Returns a new string the caller frees. */
char *ical_escape(const char *text);

#endif
