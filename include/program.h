/* Programs (DOMAIN.md section 3): 3em1, 3em1-comercio, each year's
 * co-branding-YYYY call and each Sitestar edition's sitestar-YYYY contest.
 * Their status machine, the row, and the rules across fields that a field
 * table cannot express. Pure: no I/O.
 *
 *   action          who    from                  to
 *   open            staff  draft                 open
 *   close           staff  open                  closed
 *   archive         staff  closed                archived
 *   edit (PATCH)    staff  draft, open, closed   (unchanged)
 *
 * staff: ROLE_STAFF or ROLE_ADMIN. archived is final. Only staff see a
 * draft. Enrollment happens while a program is open and inside its window
 * (enrollment.h). */
#ifndef PARCERIA_PROGRAM_H
#define PARCERIA_PROGRAM_H

#include "error_code.h"
#include "field_issue.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum program_status {
    PROGRAM_DRAFT,
    PROGRAM_OPEN,
    PROGRAM_CLOSED,
    PROGRAM_ARCHIVED,
};
#define PROGRAM_STATUS_COUNT 4

enum program_action {
    PROGRAM_ACT_OPEN,
    PROGRAM_ACT_CLOSE,
    PROGRAM_ACT_ARCHIVE,
    PROGRAM_ACT_EDIT,
};
#define PROGRAM_ACTION_COUNT 4

enum program_kind {
    PROGRAM_STANDING,
    PROGRAM_CALL,
    PROGRAM_CONTEST,
};
#define PROGRAM_KIND_COUNT 3

/* What an enrollment's `application` holds in a program: nothing, or a
 * co-branding proposal (calls whose code starts with "co-branding-"). */
enum program_form {
    PROGRAM_FORM_NONE,
    PROGRAM_FORM_CO_BRANDING,
};

struct machine;
extern const struct machine program_machine;
extern const char *const program_kind_names[]; /* NULL-terminated */

#define PROGRAM_CODE_MAX 40
/* How long a voucher may be redeemed when neither its issue nor its
 * program says: a year. */
#define PROGRAM_VOUCHER_DAYS 365
#define PROGRAM_MAX_REQUIRES 10

/* One program as stored (and as a creation or an edit builds it). */
struct program_row {
    char code[PROGRAM_CODE_MAX + 1];
    enum program_kind kind;
    int year;            /* 0: none (standing) */
    json_t *name;        /* owned: {"pt", "en"} */
    json_t *description; /* owned: {"pt", "en"}, or NULL */
    enum program_status status;
    char opens_at[32]; /* RFC 3339, or empty: no limit */
    char closes_at[32];
    char requires[PROGRAM_MAX_REQUIRES][PROGRAM_CODE_MAX + 1];
    size_t nrequires;
    int capacity;              /* 0: none */
    int benefit_months;        /* 0: none */
    int voucher_validity_days; /* 0: none (PROGRAM_VOUCHER_DAYS) */
    char terms_version[81];
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void program_row_cleanup(struct program_row *row);

const char *program_status_name(enum program_status status);
bool program_status_parse(const char *name, enum program_status *out) WARN_UNUSED;
const char *program_kind_name(enum program_kind kind);
bool program_kind_parse(const char *name, enum program_kind *out) WARN_UNUSED;

/* The form an enrollment's application takes in this program. */
enum program_form program_form(const struct program_row *p);
/* "co-branding", or NULL for none. */
const char *program_form_name(enum program_form form);

/* Whether RFC 3339 UTC text a is an earlier time than b (fractions count). */
bool program_time_before(const char *a, const char *b);

#define PROGRAM_MAX_ISSUES 4
/* The rules across fields: a year for calls and contests, none for standing
 * programs; a call's or contest's code ends with "-<year>"; the window
 * opens before it closes (RFC 3339 UTC texts compare as times); a program
 * does not require itself. Writes at most cap issues; returns how many. */
size_t program_check(const struct program_row *p, struct field_issue *out, size_t cap);

#endif
