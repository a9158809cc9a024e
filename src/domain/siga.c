/* SIGA proposals and comments: their status machines (tabled in siga.h) as
 * data for the machine engine, and who may edit what, when. Pure. */
#include "siga.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define PB(s) MACHINE_BIT(SIGA_##s)
#define CB(s) MACHINE_BIT(SIGA_COMMENT_##s)
#define VOTING (PB(OPEN) | PB(UNDER_CONSIDERATION))

static const char *const proposal_states[SIGA_STATUS_COUNT] = {
    [SIGA_OPEN] = "open",         [SIGA_UNDER_CONSIDERATION] = "under_consideration",
    [SIGA_PLANNED] = "planned",   [SIGA_DONE] = "done",
    [SIGA_DECLINED] = "declined",
};

static const struct machine_action proposal_actions[SIGA_ACTION_COUNT] = {
    [SIGA_ACT_CONSIDER] = {"consider", STAFF, PB(OPEN), SIGA_UNDER_CONSIDERATION, false,
                           SIGA_EFFECT_NOTE},
    [SIGA_ACT_PLAN] = {"plan", STAFF, PB(UNDER_CONSIDERATION), SIGA_PLANNED, false,
                       SIGA_EFFECT_NOTE},
    [SIGA_ACT_COMPLETE] = {"complete", STAFF, PB(PLANNED), SIGA_DONE, false, SIGA_EFFECT_NOTE},
    [SIGA_ACT_DECLINE] = {"decline", STAFF, VOTING | PB(PLANNED), SIGA_DECLINED, false,
                          SIGA_EFFECT_NOTE},
    [SIGA_ACT_VOTE] = {"vote", ROLE_REGISTRAR, VOTING, MACHINE_SAME, false, SIGA_EFFECT_VOTE},
    [SIGA_ACT_UNVOTE] = {"unvote", ROLE_REGISTRAR, VOTING, MACHINE_SAME, false, SIGA_EFFECT_UNVOTE},
    [SIGA_ACT_EDIT] = {"edit", STAFF | ROLE_REGISTRAR, PB(OPEN), MACHINE_SAME, false,
                       SIGA_EFFECT_MINE},
};

const struct machine siga_proposal_machine = {proposal_states, SIGA_STATUS_COUNT, proposal_actions,
                                              SIGA_ACTION_COUNT};

const char *const siga_area_names[SIGA_AREA_COUNT + 1] = {
    [SIGA_AREA_DOMAINS] = "domains", [SIGA_AREA_CONTACTS] = "contacts",
    [SIGA_AREA_DNS] = "dns",         [SIGA_AREA_TRANSFERS] = "transfers",
    [SIGA_AREA_BILLING] = "billing", [SIGA_AREA_REPORTS] = "reports",
    [SIGA_AREA_API] = "api",         [SIGA_AREA_OTHER] = "other",
    [SIGA_AREA_COUNT] = NULL,
};

void siga_proposal_row_cleanup(struct siga_proposal_row *row)
{
    free(row->description);
    row->description = NULL;
    free(row->status_note);
    row->status_note = NULL;
}

const char *siga_status_name(enum siga_status status)
{
    return (unsigned)status < SIGA_STATUS_COUNT ? proposal_states[status] : NULL;
}

bool siga_status_parse(const char *name, enum siga_status *out)
{
    int i = machine_state(&siga_proposal_machine, name);
    if (i >= 0)
        *out = (enum siga_status)i;
    return i >= 0;
}

const char *siga_area_name(enum siga_area area)
{
    return (unsigned)area < SIGA_AREA_COUNT ? siga_area_names[area] : NULL;
}

bool siga_area_parse(const char *name, enum siga_area *out)
{
    for (int i = 0; name != NULL && i < SIGA_AREA_COUNT; i++)
        if (strcmp(name, siga_area_names[i]) == 0)
            return *out = (enum siga_area)i, true;
    return false;
}

bool siga_is_author(unsigned role, const char *registrar_id, const char *author_registrar_id)
{
    if (role & STAFF)
        return author_registrar_id[0] == '\0';
    return role == ROLE_REGISTRAR && registrar_id != NULL && author_registrar_id[0] != '\0' &&
           strcmp(registrar_id, author_registrar_id) == 0;
}

enum status siga_proposal_may(const struct siga_proposal_row *row, int action, unsigned role,
                              const char *registrar_id)
{
    if (action == SIGA_ACT_EDIT && !siga_is_author(role, registrar_id, row->author_registrar_id))
        return ST_FORBIDDEN;
    return ST_OK;
}

/* --- comments ------------------------------------------------------------ */

static const char *const comment_states[SIGA_COMMENT_STATUS_COUNT] = {
    [SIGA_COMMENT_VISIBLE] = "visible",
    [SIGA_COMMENT_HIDDEN] = "hidden",
};

static const struct machine_action comment_actions[SIGA_COMMENT_ACTION_COUNT] = {
    [SIGA_COMMENT_ACT_HIDE] = {"hide", STAFF, CB(VISIBLE), SIGA_COMMENT_HIDDEN, true, 0},
    [SIGA_COMMENT_ACT_EDIT] = {"edit", STAFF | ROLE_REGISTRAR, CB(VISIBLE), MACHINE_SAME, false, 0},
};

const struct machine siga_comment_machine = {comment_states, SIGA_COMMENT_STATUS_COUNT,
                                             comment_actions, SIGA_COMMENT_ACTION_COUNT};

void siga_comment_row_cleanup(struct siga_comment_row *row)
{
    free(row->body);
    row->body = NULL;
    free(row->hidden_reason);
    row->hidden_reason = NULL;
}

const char *siga_comment_status_name(enum siga_comment_status status)
{
    return (unsigned)status < SIGA_COMMENT_STATUS_COUNT ? comment_states[status] : NULL;
}

bool siga_comment_status_parse(const char *name, enum siga_comment_status *out)
{
    int i = machine_state(&siga_comment_machine, name);
    if (i >= 0)
        *out = (enum siga_comment_status)i;
    return i >= 0;
}

enum status siga_comment_may(const struct siga_comment_row *row, int action, unsigned role,
                             const char *registrar_id, const char **rule)
{
    if (action != SIGA_COMMENT_ACT_EDIT)
        return ST_OK;
    if (!siga_is_author(role, registrar_id, row->author_registrar_id))
        return ST_FORBIDDEN;
    if (row->status == SIGA_COMMENT_VISIBLE && !row->in_window) {
        if (rule != NULL)
            *rule = SIGA_RULE_EDIT_WINDOW;
        return ST_WINDOW_CLOSED;
    }
    return ST_OK;
}
