/* PTSOC security contacts: check rounds and their verifications (one per
 * security or abuse contact of every accredited registrar), the days after
 * which a pending one is reminded and then unreachable. Pure. */
#ifndef PARCERIA_PTSOC_H
#define PARCERIA_PTSOC_H

#include <stdbool.h>

/* A pending verification sent this many days before a chore's time gets
 * one reminder (a new token; the first stays valid)… */
#define PTSOC_REMIND_DAYS 7
/* …and this many days before, it is unreachable. */
#define PTSOC_EXPIRE_DAYS 14

enum ptsoc_round_status { PTSOC_ROUND_RUNNING, PTSOC_ROUND_FINISHED };
enum ptsoc_status { PTSOC_PENDING, PTSOC_VERIFIED, PTSOC_UNREACHABLE };

const char *ptsoc_round_status_name(enum ptsoc_round_status s);
bool ptsoc_round_status_parse(const char *text, enum ptsoc_round_status *out);
const char *ptsoc_status_name(enum ptsoc_status s);
bool ptsoc_status_parse(const char *text, enum ptsoc_status *out);

/* Whether a registrar contact of this type is checked (security, abuse). */
bool ptsoc_type_checked(const char *type);

/* Whether a pending verification sent age_s seconds ago is due for its
 * reminder (never twice) and for being declared unreachable. */
bool ptsoc_remind_due(enum ptsoc_status s, long long age_s, bool reminded);
bool ptsoc_expire_due(enum ptsoc_status s, long long age_s);

/* A round finishes when none of its verifications is pending. */
bool ptsoc_round_done(enum ptsoc_round_status s, long long pending);

/* Why a registrar has no reachable security contact, from whether it has a
 * security contact at all and whether one was verified in the latest
 * round: "no_security_contact", "not_verified", or NULL (reachable). */
const char *ptsoc_unreachable_reason(bool has_security_contact, bool verified_in_latest);

struct ptsoc_round_row {
    char id[37];
    enum ptsoc_round_status status;
    int version;
    char started_at[40];
    char finished_at[40]; /* empty while running */
    long long pending, verified, unreachable;
};

struct ptsoc_verification_row {
    char id[37];
    char registrar_id[37];
    char trade_name[256];
    char type[16];
    char email[256];
    enum ptsoc_status status;
    char check_id[37]; /* empty: never checked */
    char sent_at[40];  /* these four: empty when none */
    char reminded_at[40];
    char verified_at[40];
};

/* A registrar with no reachable security contact. */
struct ptsoc_unreachable_row {
    char registrar_id[37];
    char trade_name[256];
    char reason[32];
    char check_id[37]; /* the latest round, or empty */
    char created_at[40];
};

#endif
