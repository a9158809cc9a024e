/* Vouchers: the status machine (tabled in voucher.h) as data for the
 * machine engine, and the rule of a redemption. Pure. */
#include "voucher.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

static const char *const states[VOUCHER_STATUS_COUNT] = {
    [VOUCHER_ISSUED] = "issued",
    [VOUCHER_REDEEMED] = "redeemed",
    [VOUCHER_EXPIRED] = "expired",
    [VOUCHER_REVOKED] = "revoked",
};

static const struct machine_action actions[VOUCHER_ACTION_COUNT] = {
    [VOUCHER_ACT_REDEEM] = {"redeem", ROLE_REGISTRAR, MACHINE_BIT(VOUCHER_ISSUED), VOUCHER_REDEEMED,
                            false, 0},
    [VOUCHER_ACT_REVOKE] = {"revoke", ROLE_STAFF | ROLE_ADMIN, MACHINE_BIT(VOUCHER_ISSUED),
                            VOUCHER_REVOKED, true, 0},
};

const struct machine voucher_machine = {states, VOUCHER_STATUS_COUNT, actions,
                                        VOUCHER_ACTION_COUNT};

void voucher_row_cleanup(struct voucher_row *row)
{
    json_decref(row->beneficiary);
    row->beneficiary = NULL;
    free(row->domain_unicode);
    row->domain_unicode = NULL;
    free(row->reason);
    row->reason = NULL;
}

const char *voucher_status_name(enum voucher_status status)
{
    return (unsigned)status < VOUCHER_STATUS_COUNT ? states[status] : NULL;
}

bool voucher_status_parse(const char *name, enum voucher_status *out)
{
    int i = machine_state(&voucher_machine, name);
    if (i >= 0)
        *out = (enum voucher_status)i;
    return i >= 0;
}

const char *voucher_builders_program(const struct voucher_row *row)
{
    return row->program_kind == PROGRAM_CONTEST ? VOUCHER_CONTEST_BUILDERS : row->program;
}

enum status voucher_redeem_judge(const struct voucher_row *row, const struct voucher_redeemer *who,
                                 const char *registrar_id, const char *domain, bool *unchanged)
{
    *unchanged = false;
    if (!who->registrar_found || who->registrar_status != REGISTRAR_ACCREDITED)
        return who->registrar_found && who->registrar_status == REGISTRAR_SUSPENDED
                   ? ST_REGISTRAR_SUSPENDED
                   : ST_FORBIDDEN;
    if (!who->enrolled)
        return ST_NOT_ELIGIBLE;
    switch (row->status) {
    case VOUCHER_ISSUED:
        return ST_OK;
    case VOUCHER_REDEEMED:
        *unchanged =
            strcmp(row->registrar_id, registrar_id) == 0 && strcmp(row->domain, domain) == 0;
        return *unchanged ? ST_OK : ST_VOUCHER_REDEEMED;
    case VOUCHER_EXPIRED:
        return ST_VOUCHER_EXPIRED;
    case VOUCHER_REVOKED:
        return ST_VOUCHER_REVOKED;
    }
    return ST_INVALID;
}
