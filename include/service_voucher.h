/* Vouchers' use cases: the kind (revoke is the generic runner's), issuing
 * one or many all or nothing, redeeming exactly once, and a program's
 * statistics. */
#ifndef PARCERIA_SERVICE_VOUCHER_H
#define PARCERIA_SERVICE_VOUCHER_H

#include "service.h"
#include "store_voucher.h"
#include "voucher.h"

extern const struct service_kind service_voucher_kind;

#define SERVICE_VOUCHER_MAX_ISSUE 1000

/* Issues n vouchers of program in one transaction, each with a fresh code
 * and its audit event; rows gets them (n struct voucher_row). ST_NOT_FOUND
 * for no such program; ST_INVALID_STATE (outcome->current: the program's
 * status) when it is a draft or archived. in[].code is written here. */
enum status service_voucher_issue(const struct service_call *call, const char *program,
                                  struct voucher_new *in, size_t n, struct voucher_row *rows,
                                  struct service_outcome *outcome) WARN_UNUSED;

/* The same inside a transaction the caller runs on call->conn (a Sitestar
 * selection issues its vouchers with its other changes). */
enum status service_voucher_issue_in(const struct service_call *call, const char *program,
                                     struct voucher_new *in, size_t n, struct voucher_row *rows,
                                     struct service_outcome *outcome) WARN_UNUSED;

/* Redeems the voucher code for the caller's registrar and the domain (both
 * forms), under the voucher's lock: voucher_redeem_judge decides; *unchanged
 * when it was this registrar's for this domain already (nothing written).
 * row gets the voucher. A registrar gated by a data-processing agreement
 * (service_agreement_gate) is refused, outcome naming the version. */
enum status service_voucher_redeem(const struct service_call *call, const char *code,
                                   const char *ascii, const char *unicode, struct voucher_row *row,
                                   bool *unchanged, struct service_outcome *outcome) WARN_UNUSED;

/* A program's vouchers by status and its redemptions by registrar. */
enum status service_voucher_stats(const struct service_call *call, const char *program,
                                  long long counts[VOUCHER_STATUS_COUNT],
                                  json_t **by_registrar) WARN_UNUSED;

#endif
