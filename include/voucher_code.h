/* Voucher codes (DOMAIN.md section 4): 13 random symbols of a 30-symbol
 * alphabet without look-alikes (no 0/O, 1/I/L, U; about 64 bits) and one
 * Luhn mod 30 check symbol, written XXXX-XXXX-XXXX-XX, so a mistyped code is
 * refused before any lookup. Pure but for the CSPRNG of voucher_code_new. */
#ifndef PARCERIA_VOUCHER_CODE_H
#define PARCERIA_VOUCHER_CODE_H

#include <stdbool.h>

#define VOUCHER_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTVWXYZ"
#define VOUCHER_CODE_BASE 30
#define VOUCHER_CODE_PAYLOAD_LEN 13 /* random symbols */
#define VOUCHER_CODE_LEN 14         /* canonical: payload and check symbol, no dashes */
#define VOUCHER_CODE_TEXT_LEN 17    /* written: XXXX-XXXX-XXXX-XX */
/* Longest input voucher_code_normalize reads: longer ones are refused
 * unread beyond this, whatever they hold. */
#define VOUCHER_CODE_INPUT_MAX 64

/* A new code from libsodium's randombytes_uniform, in its written form.
 * sodium_init() must have run (main does it). */
void voucher_code_new(char out[VOUCHER_CODE_TEXT_LEN + 1]);

/* The canonical form of a code as typed: ASCII letters in either case,
 * spaces and dashes anywhere (or none). True, with out set to the 14
 * symbols in upper case, only when exactly 14 alphabet symbols remain and
 * the last is the check symbol of the first 13; false (out set to "") for
 * anything else: another character (0 O 1 I L U, tabs, non-ASCII), too few
 * or too many symbols, a wrong check symbol, more than
 * VOUCHER_CODE_INPUT_MAX characters, or NULL. Reads input only up to its
 * terminating NUL. Luhn mod 30 catches every single-symbol substitution and
 * every adjacent transposition except "2Z" <-> "Z2" (values 0 and 29, as 09
 * <-> 90 in decimal Luhn). */
bool voucher_code_normalize(const char *input, char out[VOUCHER_CODE_LEN + 1]);

/* The written form XXXX-XXXX-XXXX-XX of a canonical code (as
 * voucher_code_normalize gives it). */
void voucher_code_format(const char canonical[VOUCHER_CODE_LEN + 1],
                         char out[VOUCHER_CODE_TEXT_LEN + 1]);

/* The Luhn mod 30 check symbol of 13 upper-case alphabet symbols: from the
 * rightmost, values weighted 2, 1, 2, …, each product's base-30 digits
 * summed, check = (30 - sum mod 30) mod 30. '\0' when payload13 has fewer
 * than 13 characters or one outside the alphabet; reads at most 13. */
char voucher_code_check_symbol(const char *payload13);

#endif
