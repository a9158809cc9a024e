/* Contacts: the topic's shape, and the machines of mailboxes and contact
 * requests (tabled in contact.h) as data for the machine engine. Pure. */
#include "contact.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define MB(s) MACHINE_BIT(CONTACT_MAILBOX_##s)
#define RB(s) MACHINE_BIT(CONTACT_REQUEST_##s)

bool contact_topic_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > CONTACT_TOPIC_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static const char *const mailbox_states[CONTACT_MAILBOX_STATE_COUNT] = {
    [CONTACT_MAILBOX_INACTIVE] = "inactive",
    [CONTACT_MAILBOX_ACTIVE] = "active",
};

static const struct machine_action mailbox_actions[CONTACT_MAILBOX_ACTION_COUNT] = {
    [CONTACT_MAILBOX_ACT_EDIT] = {"edit", STAFF, MB(INACTIVE) | MB(ACTIVE), MACHINE_SAME, false, 0},
};

const struct machine contact_mailbox_machine = {mailbox_states, CONTACT_MAILBOX_STATE_COUNT,
                                                mailbox_actions, CONTACT_MAILBOX_ACTION_COUNT};

void contact_mailbox_row_cleanup(struct contact_mailbox_row *row)
{
    json_decref(row->name);
    json_decref(row->description);
    row->name = row->description = NULL;
}

enum contact_mailbox_state contact_mailbox_state(const struct contact_mailbox_row *row)
{
    return row->active ? CONTACT_MAILBOX_ACTIVE : CONTACT_MAILBOX_INACTIVE;
}

static const char *const request_states[CONTACT_REQUEST_STATUS_COUNT] = {
    [CONTACT_REQUEST_OPEN] = "open",
    [CONTACT_REQUEST_ANSWERED] = "answered",
    [CONTACT_REQUEST_CLOSED] = "closed",
};

static const struct machine_action request_actions[CONTACT_REQUEST_ACTION_COUNT] = {
    [CONTACT_REQUEST_ACT_ANSWER] = {"answer", STAFF, RB(OPEN), CONTACT_REQUEST_ANSWERED, false,
                                    CONTACT_REQUEST_EFFECT_NOTE},
    [CONTACT_REQUEST_ACT_CLOSE] = {"close", STAFF, RB(OPEN) | RB(ANSWERED), CONTACT_REQUEST_CLOSED,
                                   false, 0},
};

const struct machine contact_request_machine = {request_states, CONTACT_REQUEST_STATUS_COUNT,
                                                request_actions, CONTACT_REQUEST_ACTION_COUNT};

void contact_request_row_cleanup(struct contact_request_row *row)
{
    free(row->message);
    free(row->note);
    row->message = row->note = NULL;
}

const char *contact_request_status_name(enum contact_request_status status)
{
    return (unsigned)status < CONTACT_REQUEST_STATUS_COUNT ? request_states[status] : NULL;
}

bool contact_request_status_parse(const char *name, enum contact_request_status *out)
{
    int i = machine_state(&contact_request_machine, name);
    if (i >= 0)
        *out = (enum contact_request_status)i;
    return i >= 0;
}
