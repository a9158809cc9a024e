/* Registrars' news: the status machine (tabled in news.h) as data for the
 * machine engine, the channels and who may submit. Pure. */
#include "news.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define NB(s) MACHINE_BIT(NEWS_##s)

static const char *const news_states[NEWS_STATUS_COUNT] = {
    [NEWS_SUBMITTED] = "submitted", [NEWS_PUBLISHED] = "published",
    [NEWS_REJECTED] = "rejected",   [NEWS_CHANGES_REQUESTED] = "changes_requested",
    [NEWS_ARCHIVED] = "archived",
};

static const struct machine_action news_actions[NEWS_ACTION_COUNT] = {
    [NEWS_ACT_PUBLISH] = {"publish", STAFF, NB(SUBMITTED), NEWS_PUBLISHED, false, 0},
    [NEWS_ACT_REJECT] = {"reject", STAFF, NB(SUBMITTED), NEWS_REJECTED, true, 0},
    [NEWS_ACT_REQUEST_CHANGES] = {"request-changes", STAFF, NB(SUBMITTED), NEWS_CHANGES_REQUESTED,
                                  true, 0},
    [NEWS_ACT_RESUBMIT] = {"resubmit", ROLE_REGISTRAR, NB(CHANGES_REQUESTED), NEWS_SUBMITTED, false,
                           0},
    [NEWS_ACT_ARCHIVE] = {"archive", STAFF, NB(PUBLISHED), NEWS_ARCHIVED, false, 0},
    [NEWS_ACT_EDIT] = {"edit", STAFF | ROLE_REGISTRAR, NB(SUBMITTED) | NB(CHANGES_REQUESTED),
                       MACHINE_SAME, false, 0},
};

const struct machine news_machine = {news_states, NEWS_STATUS_COUNT, news_actions,
                                     NEWS_ACTION_COUNT};

const char *const news_channel_names[NEWS_CHANNEL_COUNT + 1] = {"site", "newsletter", "social",
                                                                NULL};

void news_row_cleanup(struct news_row *row)
{
    free(row->body);
    row->body = NULL;
    free(row->reason);
    row->reason = NULL;
}

const char *news_status_name(enum news_status status)
{
    return (unsigned)status < NEWS_STATUS_COUNT ? news_states[status] : NULL;
}

bool news_status_parse(const char *name, enum news_status *out)
{
    int i = machine_state(&news_machine, name);
    if (i >= 0)
        *out = (enum news_status)i;
    return i >= 0;
}

bool news_is_public(const struct news_row *row)
{
    return row->status == NEWS_PUBLISHED;
}

unsigned news_channel_bit(const char *name)
{
    for (int i = 0; name != NULL && i < NEWS_CHANNEL_COUNT; i++)
        if (strcmp(name, news_channel_names[i]) == 0)
            return 1u << i;
    return 0;
}

bool news_channel_valid(const char *name)
{
    return news_channel_bit(name) != 0;
}

size_t news_channel_names_of(unsigned bits, const char *out[NEWS_CHANNEL_COUNT])
{
    size_t n = 0;
    for (int i = 0; i < NEWS_CHANNEL_COUNT; i++)
        if (bits & (1u << i))
            out[n++] = news_channel_names[i];
    return n;
}

unsigned news_channels_of(const char *const *names, size_t n, int *repeated)
{
    unsigned bits = 0;
    *repeated = -1;
    for (size_t i = 0; i < n; i++) {
        unsigned b = news_channel_bit(names[i]);
        if (b != 0 && (bits & b) != 0 && *repeated < 0)
            *repeated = (int)i;
        bits |= b;
    }
    return bits;
}

enum status news_submit_judge(bool found, enum registrar_status status)
{
    if (found && status == REGISTRAR_ACCREDITED)
        return ST_OK;
    return found && status == REGISTRAR_SUSPENDED ? ST_REGISTRAR_SUSPENDED : ST_FORBIDDEN;
}
