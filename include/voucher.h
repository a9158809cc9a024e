/* Vouchers (DOMAIN.md section 4): their status machine, the row, and the
 * rule of a redemption. Pure: no I/O.
 *
 *   action        who        from     to
 *   redeem        registrar  issued   redeemed   (POST …/redeem {"domain"})
 *   revoke (R)    staff      issued   revoked
 *
 * expired is no stored state: a voucher still issued past its expires_at
 * reads as expired, whether or not anything has swept it, and nothing
 * applies to it. redeemed and revoked are final. A registrar redeems a
 * voucher of a program when it has an active enrollment there (of 3em1 for a
 * contest's voucher: Sitestar's sites are built by 3em1 registrars), and
 * redeeming its own voucher again for the same domain changes nothing. */
#ifndef PARCERIA_VOUCHER_H
#define PARCERIA_VOUCHER_H

#include "program.h"
#include "registrar.h"
#include "status.h"

#include <jansson.h>
#include <stdbool.h>

enum voucher_status {
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    VOUCHER_EXPIRED,
    VOUCHER_REVOKED,
};
#define VOUCHER_STATUS_COUNT 4

enum voucher_action {
    VOUCHER_ACT_REDEEM,
    VOUCHER_ACT_REVOKE,
};
#define VOUCHER_ACTION_COUNT 2

struct machine;
extern const struct machine voucher_machine;

/* The program whose active enrollment redeems a contest's vouchers. */
#define VOUCHER_CONTEST_BUILDERS "3em1"

struct voucher_row {
    char code[15]; /* canonical: 14 symbols, no dashes */
    char program[PROGRAM_CODE_MAX + 1];
    enum program_kind program_kind;
    enum voucher_status status; /* as read: expired when issued and past expires_at */
    json_t *beneficiary;        /* owned: {type, name, nif?, email} */
    char expires_at[32];
    char registrar_id[37]; /* empty until redeemed */
    char domain[254];      /* A-label form */
    char *domain_unicode;  /* owned, or NULL */
    char redeemed_at[32];
    char service_ends_at[32];
    char *reason; /* owned, or NULL */
    int version;
    char created_at[32]; /* issued_at */
    char updated_at[32];
    char status_changed_at[32];
    bool redeemable_by_me; /* for the registrar that read it (service read_for) */
};
void voucher_row_cleanup(struct voucher_row *row);

const char *voucher_status_name(enum voucher_status status);
bool voucher_status_parse(const char *name, enum voucher_status *out) WARN_UNUSED;
/* The program whose active enrollment a registrar needs to redeem it. */
const char *voucher_builders_program(const struct voucher_row *row);

/* Where a registrar stands for a redemption, read under the voucher's lock. */
struct voucher_redeemer {
    bool registrar_found;
    enum registrar_status registrar_status;
    bool enrolled; /* an active enrollment in voucher_builders_program */
};

/* The outcome of redeeming row for domain by registrar_id: ST_OK (redeem
 * it), ST_OK with *unchanged (its own voucher again, for the same domain),
 * ST_REGISTRAR_SUSPENDED / ST_FORBIDDEN (not accredited), ST_NOT_ELIGIBLE
 * (no active enrollment), ST_VOUCHER_EXPIRED, ST_VOUCHER_REVOKED,
 * ST_VOUCHER_REDEEMED (someone else's, or another domain). Who may redeem
 * is judged first, so a registrar that may not learns nothing of the code. */
enum status voucher_redeem_judge(const struct voucher_row *row, const struct voucher_redeemer *who,
                                 const char *registrar_id, const char *domain,
                                 bool *unchanged) WARN_UNUSED;

#endif
