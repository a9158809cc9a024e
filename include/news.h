/* Registrars' news (Divulgação, DOMAIN.md section 8): the news item's status
 * machine, its row, its channels and who may submit one. Pure: no I/O.
 *
 *   action           who        from                          to
 *   publish          staff      submitted                     published
 *   reject           staff      submitted                     rejected (reason)
 *   request-changes  staff      submitted                     changes_requested (reason)
 *   resubmit         registrar  changes_requested             submitted
 *   archive          staff      published                     archived
 *   edit (PATCH)     staff,     submitted, changes_requested  (same)
 *                    registrar
 *
 * staff: ROLE_STAFF or ROLE_ADMIN; registrar: its own items only (another
 * registrar's read as absent). Published and archived items are public. */
#ifndef PARCERIA_NEWS_H
#define PARCERIA_NEWS_H

#include "registrar.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>

enum news_status {
    NEWS_SUBMITTED,
    NEWS_PUBLISHED,
    NEWS_REJECTED,
    NEWS_CHANGES_REQUESTED,
    NEWS_ARCHIVED,
};
#define NEWS_STATUS_COUNT 5

enum news_action {
    NEWS_ACT_PUBLISH,
    NEWS_ACT_REJECT,
    NEWS_ACT_REQUEST_CHANGES,
    NEWS_ACT_RESUBMIT,
    NEWS_ACT_ARCHIVE,
    NEWS_ACT_EDIT,
};
#define NEWS_ACTION_COUNT 6

struct machine;
extern const struct machine news_machine;

/* The channels a registrar asks for, as bits. */
enum news_channel {
    NEWS_CHANNEL_SITE = 1u << 0,
    NEWS_CHANNEL_NEWSLETTER = 1u << 1,
    NEWS_CHANNEL_SOCIAL = 1u << 2,
};
#define NEWS_CHANNEL_COUNT 3
extern const char *const news_channel_names[]; /* in bit order, NULL-terminated */

#define NEWS_TITLE_MAX 801    /* 200 characters of UTF-8, with the NUL */
#define NEWS_SUMMARY_MAX 2001 /* 500 characters */
#define NEWS_LINK_MAX 2049

struct news_row {
    char id[37];
    char registrar_id[37];
    char trade_name[401]; /* the registrar's, read with the item */
    char title[NEWS_TITLE_MAX];
    char summary[NEWS_SUMMARY_MAX];
    char *body;               /* owned: up to 20000 characters of lines */
    char link[NEWS_LINK_MAX]; /* empty: none */
    unsigned channels;        /* enum news_channel bits */
    enum news_status status;
    char *reason;          /* owned, or NULL: the last action's */
    char published_at[32]; /* empty until published */
    int version;
    int registrar_version; /* the registrar's row's, read with it (its trade name) */
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
};
void news_row_cleanup(struct news_row *row);

const char *news_status_name(enum news_status status);
bool news_status_parse(const char *name, enum news_status *out) WARN_UNUSED;
/* Whether the item is public (published). */
bool news_is_public(const struct news_row *row);

/* A channel's bit by name (0 for none of them). */
unsigned news_channel_bit(const char *name);
/* Whether name is a channel (the field table's rule). */
bool news_channel_valid(const char *name);
/* The channels' names of bits, in the fixed order site, newsletter, social:
 * writes at most NEWS_CHANNEL_COUNT; returns how many. */
size_t news_channel_names_of(unsigned bits, const char *out[NEWS_CHANNEL_COUNT]);
/* The bits of n names, and the index of the first repeated one in *repeated
 * (-1: none). An unknown name adds nothing. */
unsigned news_channels_of(const char *const *names, size_t n, int *repeated);

/* Whether a registrar may submit news: ST_OK when it is accredited;
 * ST_REGISTRAR_SUSPENDED when suspended; ST_FORBIDDEN when terminated or
 * absent (found false). */
enum status news_submit_judge(bool found, enum registrar_status status) WARN_UNUSED;

#endif
