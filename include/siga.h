/* SIGA improvement proposals (DOMAIN.md section 8): proposals, their votes
 * and their comments; the two status machines, the rows and the rules of
 * who may edit. Pure: no I/O.
 *
 * Proposals:
 *   action        who        from                               to                   effects
 *   consider      staff      open                               under_consideration  note
 *   plan          staff      under_consideration                planned              note
 *   complete      staff      planned                            done                 note
 *   decline       staff      open, under_consideration, planned declined             note
 *   vote          registrar  open, under_consideration          (same)               vote
 *   unvote        registrar  open, under_consideration          (same)               unvote
 *   edit (PATCH)  staff, registrar  open                        (same)               mine
 *
 * The status actions take {"note"} (the public note, kept as status_note).
 * Outside the table: only its author edits a proposal (a registrar its own;
 * staff, as one author, staff's). A vote cast or withdrawn twice changes
 * nothing (the second answers as the first).
 *
 * Comments:
 *   action        who               from     to       effects
 *   hide          staff             visible  hidden   (reason: hidden_reason)
 *   edit (PATCH)  staff, registrar  visible  (same)
 *
 * Outside the table: only its author edits a comment, and only within
 * SIGA_EDIT_WINDOW_MINUTES of its creation (after: the rule
 * SIGA_RULE_EDIT_WINDOW). */
#ifndef PARCERIA_SIGA_H
#define PARCERIA_SIGA_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>

enum siga_area {
    SIGA_AREA_DOMAINS,
    SIGA_AREA_CONTACTS,
    SIGA_AREA_DNS,
    SIGA_AREA_TRANSFERS,
    SIGA_AREA_BILLING,
    SIGA_AREA_REPORTS,
    SIGA_AREA_API,
    SIGA_AREA_OTHER,
};
#define SIGA_AREA_COUNT 8
extern const char *const siga_area_names[]; /* NULL-terminated */

enum siga_status {
    SIGA_OPEN,
    SIGA_UNDER_CONSIDERATION,
    SIGA_PLANNED,
    SIGA_DONE,
    SIGA_DECLINED,
};
#define SIGA_STATUS_COUNT 5

enum siga_action {
    SIGA_ACT_CONSIDER,
    SIGA_ACT_PLAN,
    SIGA_ACT_COMPLETE,
    SIGA_ACT_DECLINE,
    SIGA_ACT_VOTE,
    SIGA_ACT_UNVOTE,
    SIGA_ACT_EDIT,
};
#define SIGA_ACTION_COUNT 7

enum siga_effect {
    SIGA_EFFECT_NOTE = 1u << 0,   /* keeps the action's note as status_note */
    SIGA_EFFECT_VOTE = 1u << 1,   /* casts the caller's vote (once) */
    SIGA_EFFECT_UNVOTE = 1u << 2, /* withdraws it (once) */
    SIGA_EFFECT_MINE = 1u << 3,   /* reads what the row is for the caller (voted_by_me) */
};

struct machine;
extern const struct machine siga_proposal_machine;

#define SIGA_TITLE_MAX 801 /* 200 characters of UTF-8, with the NUL */
#define SIGA_NOTE_MAX 2000 /* characters */

struct siga_proposal_row {
    char id[37];
    char title[SIGA_TITLE_MAX];
    char *description; /* owned */
    enum siga_area area;
    char author_registrar_id[37]; /* empty: staff */
    enum siga_status status;
    char *status_note; /* owned, or NULL */
    int votes;
    int comments;
    bool voted_by_me; /* for the caller, when a registrar */
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void siga_proposal_row_cleanup(struct siga_proposal_row *row);

const char *siga_status_name(enum siga_status status);
bool siga_status_parse(const char *name, enum siga_status *out) WARN_UNUSED;
const char *siga_area_name(enum siga_area area);
bool siga_area_parse(const char *name, enum siga_area *out) WARN_UNUSED;

/* Whether the caller (its role bit and, for a registrar, its id) is the
 * author of something written by author_registrar_id (empty: staff). */
bool siga_is_author(unsigned role, const char *registrar_id, const char *author_registrar_id);

/* Who may take action on the proposal beyond the machine's roles: ST_OK, or
 * ST_FORBIDDEN for an edit by anyone but its author. */
enum status siga_proposal_may(const struct siga_proposal_row *row, int action, unsigned role,
                              const char *registrar_id);

/* --- comments ------------------------------------------------------------ */

enum siga_comment_status {
    SIGA_COMMENT_VISIBLE,
    SIGA_COMMENT_HIDDEN,
};
#define SIGA_COMMENT_STATUS_COUNT 2

enum siga_comment_action {
    SIGA_COMMENT_ACT_HIDE,
    SIGA_COMMENT_ACT_EDIT,
};
#define SIGA_COMMENT_ACTION_COUNT 2

extern const struct machine siga_comment_machine;

#define SIGA_EDIT_WINDOW_MINUTES 15
#define SIGA_RULE_EDIT_WINDOW "edit-window-closed"

struct siga_comment_row {
    char id[37];
    char proposal_id[37];
    char author_registrar_id[37]; /* empty: staff */
    char *body;                   /* owned */
    enum siga_comment_status status;
    char *hidden_reason; /* owned, or NULL */
    char edited_at[32];  /* empty: never edited */
    bool in_window;      /* created less than SIGA_EDIT_WINDOW_MINUTES ago (the store's clock) */
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void siga_comment_row_cleanup(struct siga_comment_row *row);

const char *siga_comment_status_name(enum siga_comment_status status);
bool siga_comment_status_parse(const char *name, enum siga_comment_status *out) WARN_UNUSED;

/* Who may take action on the comment beyond the machine's roles, and when:
 * ST_OK; ST_FORBIDDEN for an edit by anyone but its author; ST_WINDOW_CLOSED
 * (*rule SIGA_RULE_EDIT_WINDOW) for its author's edit of a visible comment
 * past the window. rule may be NULL. */
enum status siga_comment_may(const struct siga_comment_row *row, int action, unsigned role,
                             const char *registrar_id, const char **rule);

#endif
