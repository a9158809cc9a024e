/* The newsletter's three machines (tabled in newsletter.h) as data for the
 * machine engine, and its small pure rules: when an issue may be published,
 * when a subscribe request sends a confirmation, what a link token is. */
#include "newsletter.h"

#include "machine.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define IB(s) MACHINE_BIT(ISSUE_##s)
#define SB(s) MACHINE_BIT(SUGGESTION_##s)
#define UB(s) MACHINE_BIT(SUBSCRIPTION_##s)

static const char *const issue_states[ISSUE_STATUS_COUNT] = {
    [ISSUE_PLANNED] = "planned",
    [ISSUE_PUBLISHED] = "published",
};

static const struct machine_action issue_actions[ISSUE_ACTION_COUNT] = {
    [ISSUE_ACT_PUBLISH] = {"publish", STAFF, IB(PLANNED), ISSUE_PUBLISHED, false, ISSUE_EFFECT_URL},
    [ISSUE_ACT_EDIT] = {"edit", STAFF, IB(PLANNED), MACHINE_SAME, false, 0},
};

const struct machine newsletter_issue_machine = {issue_states, ISSUE_STATUS_COUNT, issue_actions,
                                                 ISSUE_ACTION_COUNT};

static const char *const suggestion_states[SUGGESTION_STATUS_COUNT] = {
    [SUGGESTION_SUBMITTED] = "submitted",
    [SUGGESTION_ACCEPTED] = "accepted",
    [SUGGESTION_DECLINED] = "declined",
    [SUGGESTION_USED] = "used",
};

static const struct machine_action suggestion_actions[SUGGESTION_ACTION_COUNT] = {
    [SUGGESTION_ACT_ACCEPT] = {"accept", STAFF, SB(SUBMITTED), SUGGESTION_ACCEPTED, false,
                               SUGGESTION_EFFECT_ISSUE},
    [SUGGESTION_ACT_DECLINE] = {"decline", STAFF, SB(SUBMITTED), SUGGESTION_DECLINED, true, 0},
    [SUGGESTION_ACT_USE] = {"use", STAFF, SB(ACCEPTED), SUGGESTION_USED, false,
                            SUGGESTION_EFFECT_PUBLISHED},
};

const struct machine newsletter_suggestion_machine = {suggestion_states, SUGGESTION_STATUS_COUNT,
                                                      suggestion_actions, SUGGESTION_ACTION_COUNT};

static const char *const subscription_states[SUBSCRIPTION_STATUS_COUNT] = {
    [SUBSCRIPTION_PENDING] = "pending",
    [SUBSCRIPTION_CONFIRMED] = "confirmed",
    [SUBSCRIPTION_UNSUBSCRIBED] = "unsubscribed",
};

static const struct machine_action subscription_actions[SUBSCRIPTION_ACTION_COUNT] = {
    [SUBSCRIPTION_ACT_CONFIRM] = {"confirm", NEWSLETTER_TOKEN_HOLDER,
                                  UB(PENDING) | UB(UNSUBSCRIBED), SUBSCRIPTION_CONFIRMED, false, 0},
    [SUBSCRIPTION_ACT_UNSUBSCRIBE] = {"unsubscribe", NEWSLETTER_TOKEN_HOLDER, UB(CONFIRMED),
                                      SUBSCRIPTION_UNSUBSCRIBED, false, 0},
};

const struct machine newsletter_subscription_machine = {
    subscription_states, SUBSCRIPTION_STATUS_COUNT, subscription_actions,
    SUBSCRIPTION_ACTION_COUNT};

void newsletter_issue_row_cleanup(struct newsletter_issue_row *row)
{
    (void)row; /* owns nothing */
}

static const char *state_name(const struct machine *m, int s)
{
    return s >= 0 && (size_t)s < m->nstates ? m->states[s] : NULL;
}

const char *newsletter_issue_status_name(enum newsletter_issue_status s)
{
    return state_name(&newsletter_issue_machine, (int)s);
}

bool newsletter_issue_status_parse(const char *name, enum newsletter_issue_status *out)
{
    int i = machine_state(&newsletter_issue_machine, name);
    if (i >= 0)
        *out = (enum newsletter_issue_status)i;
    return i >= 0;
}

bool newsletter_issue_publishable(const struct newsletter_issue_row *row)
{
    return validate_website(row->url);
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool newsletter_valid_date(const char *s)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
        !digits(s + 5, 2) || !digits(s + 8, 2))
        return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= (m == 2 && !leap ? 28 : days[m - 1]);
}

void newsletter_suggestion_row_cleanup(struct newsletter_suggestion_row *row)
{
    free(row->summary);
    free(row->reason);
    row->summary = row->reason = NULL;
}

const char *newsletter_suggestion_status_name(enum newsletter_suggestion_status s)
{
    return state_name(&newsletter_suggestion_machine, (int)s);
}

bool newsletter_suggestion_status_parse(const char *name, enum newsletter_suggestion_status *out)
{
    int i = machine_state(&newsletter_suggestion_machine, name);
    if (i >= 0)
        *out = (enum newsletter_suggestion_status)i;
    return i >= 0;
}

const char *newsletter_subscription_status_name(enum newsletter_subscription_status s)
{
    return state_name(&newsletter_subscription_machine, (int)s);
}

bool newsletter_subscription_status_parse(const char *name,
                                          enum newsletter_subscription_status *out)
{
    int i = machine_state(&newsletter_subscription_machine, name);
    if (i >= 0)
        *out = (enum newsletter_subscription_status)i;
    return i >= 0;
}

bool newsletter_confirmation_due(enum newsletter_subscription_status s, long long since_last_s)
{
    if (s == SUBSCRIPTION_CONFIRMED)
        return false;
    return since_last_s < 0 || since_last_s >= NEWSLETTER_CONFIRM_EVERY_S;
}

bool newsletter_token_valid(const char *text)
{
    if (text == NULL || strlen(text) != 43)
        return false;
    for (const char *p = text; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}
