/* PTSOC security contacts' rules (ptsoc.h). Pure. */
#include "ptsoc.h"

#include <string.h>

static const char *const round_names[] = {"running", "finished"};
static const char *const names[] = {"pending", "verified", "unreachable"};

#define DAY_S (24LL * 60 * 60)

const char *ptsoc_round_status_name(enum ptsoc_round_status s)
{
    return (unsigned)s < 2 ? round_names[s] : "running";
}

bool ptsoc_round_status_parse(const char *text, enum ptsoc_round_status *out)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(text, round_names[i]) == 0) {
            *out = (enum ptsoc_round_status)i;
            return true;
        }
    return false;
}

const char *ptsoc_status_name(enum ptsoc_status s)
{
    return (unsigned)s < 3 ? names[s] : "pending";
}

bool ptsoc_status_parse(const char *text, enum ptsoc_status *out)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (enum ptsoc_status)i;
            return true;
        }
    return false;
}

bool ptsoc_type_checked(const char *type)
{
    return type != NULL && (strcmp(type, "security") == 0 || strcmp(type, "abuse") == 0);
}

bool ptsoc_remind_due(enum ptsoc_status s, long long age_s, bool reminded)
{
    return s == PTSOC_PENDING && !reminded && age_s >= PTSOC_REMIND_DAYS * DAY_S;
}

bool ptsoc_expire_due(enum ptsoc_status s, long long age_s)
{
    return s == PTSOC_PENDING && age_s >= PTSOC_EXPIRE_DAYS * DAY_S;
}

bool ptsoc_round_done(enum ptsoc_round_status s, long long pending)
{
    return s == PTSOC_ROUND_RUNNING && pending == 0;
}

const char *ptsoc_unreachable_reason(bool has_security_contact, bool verified_in_latest)
{
    if (!has_security_contact)
        return "no_security_contact";
    return verified_in_latest ? NULL : "not_verified";
}
