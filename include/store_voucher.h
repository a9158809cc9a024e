/* Vouchers: all their SQL, no rules. */
#ifndef PARCERIA_STORE_VOUCHER_H
#define PARCERIA_STORE_VOUCHER_H

#include "db.h"
#include "page.h"
#include "voucher.h"

#include <stdbool.h>

#define STORE_VOUCHER_SORTS 2
extern const struct page_sort store_voucher_sorts[STORE_VOUCHER_SORTS];
enum {
    STORE_VOUCHER_PROGRAM,   /* JSON array of program codes */
    STORE_VOUCHER_STATUS,    /* JSON array of statuses (expired as read) */
    STORE_VOUCHER_REGISTRAR, /* JSON array of registrar ids (who redeemed) */
};

/* Reads one voucher by its canonical code; lock takes FOR UPDATE.
 * ST_NOT_FOUND when absent. */
enum status store_voucher_get(PGconn *conn, const char *code, bool lock,
                              struct voucher_row *out) WARN_UNUSED;

/* One voucher of an issue: its canonical code, its beneficiary (JSON,
 * lent) and its expires_at (RFC 3339, or NULL: the program's default). */
struct voucher_new {
    char code[15];
    const json_t *beneficiary;
    const char *expires_at;
};
/* Inserts the n vouchers of one issue in one statement (all or nothing);
 * *rows gets them in order (n struct voucher_row). ST_CONFLICT when a code
 * is taken. */
enum status store_voucher_insert(PGconn *conn, const char *program, const struct voucher_new *in,
                                 size_t n, struct voucher_row *rows) WARN_UNUSED;
/* Where registrar_id stands to redeem a voucher whose builders are
 * enrolled in program. */
enum status store_voucher_redeemer(PGconn *conn, const char *registrar_id, const char *program,
                                   struct voucher_redeemer *out) WARN_UNUSED;
/* Marks row redeemed by registrar_id for the domain (both forms); its
 * service ends benefit_months later (the program's; 12 when it has none). */
enum status store_voucher_redeem(PGconn *conn, struct voucher_row *row, const char *registrar_id,
                                 const char *ascii, const char *unicode) WARN_UNUSED;
/* Sets the status (a name the domain gave) and the reason. */
enum status store_voucher_move(PGconn *conn, struct voucher_row *row, const char *to,
                               const char *reason) WARN_UNUSED;

/* A program's vouchers by status as read (expired included), and its
 * redemptions by registrar (a new JSON object: registrar id → count). */
enum status store_voucher_stats(PGconn *conn, const char *program,
                                long long counts[VOUCHER_STATUS_COUNT],
                                json_t **by_registrar) WARN_UNUSED;
/* A page of vouchers (rows: struct voucher_row). */
enum status store_voucher_list(PGconn *conn, const struct page_query *q,
                               struct page_result *out) WARN_UNUSED;

#endif
