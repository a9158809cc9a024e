/* Contacts (DOMAIN.md section 8): .PT's public mailboxes by topic, kept by
 * staff, and the contact requests routed to them. Pure: no I/O.
 *
 * Mailboxes have no life cycle of their own: their state is whether they
 * are active (shown and accepting requests), and staff edit them.
 *   action         who    from               to
 *   edit (PATCH)   staff  inactive, active   (same, or as active says)
 *
 * Contact requests:
 *   action   who    from            to
 *   answer   staff  open            answered   note (an optional {"note"})
 *   close    staff  open, answered  closed
 *
 * A request is created open by anyone (a registrar's token names its
 * registrar; public callers give a name and an email). */
#ifndef PARCERIA_CONTACT_H
#define PARCERIA_CONTACT_H

#include "status.h"

#include <jansson.h>
#include <stdbool.h>

#define CONTACT_TOPIC_MAX 40

/* Whether s is a topic: ^[a-z0-9-]{1,40}$. */
bool contact_topic_valid(const char *s);

enum contact_mailbox_state {
    CONTACT_MAILBOX_INACTIVE,
    CONTACT_MAILBOX_ACTIVE,
};
#define CONTACT_MAILBOX_STATE_COUNT 2

enum contact_mailbox_action {
    CONTACT_MAILBOX_ACT_EDIT,
};
#define CONTACT_MAILBOX_ACTION_COUNT 1

struct machine;
extern const struct machine contact_mailbox_machine;

struct contact_mailbox_row {
    char topic[CONTACT_TOPIC_MAX + 1];
    json_t *name;        /* owned: {"pt", "en"} */
    char email[255];     /* 254 characters at most */
    json_t *description; /* owned: {"pt", "en"}, or NULL */
    int position;
    bool active;
    int version;
    char created_at[32];
    char updated_at[32];
};
void contact_mailbox_row_cleanup(struct contact_mailbox_row *row);
/* The mailbox's machine state: whether it is active. */
enum contact_mailbox_state contact_mailbox_state(const struct contact_mailbox_row *row);

enum contact_request_status {
    CONTACT_REQUEST_OPEN,
    CONTACT_REQUEST_ANSWERED,
    CONTACT_REQUEST_CLOSED,
};
#define CONTACT_REQUEST_STATUS_COUNT 3

enum contact_request_action {
    CONTACT_REQUEST_ACT_ANSWER,
    CONTACT_REQUEST_ACT_CLOSE,
};
#define CONTACT_REQUEST_ACTION_COUNT 2

enum contact_request_effect {
    CONTACT_REQUEST_EFFECT_NOTE = 1u << 0, /* keeps the answer's note */
};

extern const struct machine contact_request_machine;

#define CONTACT_TEXT_MAX 801 /* 200 characters of UTF-8, with the NUL */

struct contact_request_row {
    char id[37];
    char topic[CONTACT_TOPIC_MAX + 1];
    char subject[CONTACT_TEXT_MAX];
    char *message; /* owned */
    char name[CONTACT_TEXT_MAX];
    char email[255];
    char registrar_id[37]; /* empty: a public request */
    enum contact_request_status status;
    char *note; /* owned, or NULL: the answer's note */
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void contact_request_row_cleanup(struct contact_request_row *row);

const char *contact_request_status_name(enum contact_request_status status);
bool contact_request_status_parse(const char *name, enum contact_request_status *out) WARN_UNUSED;

#endif
