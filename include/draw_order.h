/* The CENTR Registrar Day draw's arithmetic (DOMAIN.md section 6): the seed
 * commitment staff publish before the draw, its check when the seed is
 * revealed, and the order of the pool, which anyone can recompute from the
 * public draw. Pure: no I/O. */
#ifndef PARCERIA_DRAW_ORDER_H
#define PARCERIA_DRAW_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#define DRAW_HEX_LEN 64 /* lowercase hex of a SHA-256 digest or an HMAC-SHA-256 */
#define DRAW_ID_SIZE 37 /* a lowercase UUID text and its NUL */

/* Whether text is a commitment: exactly 64 lowercase hex digits. False for
 * NULL, upper case, any other length or character. */
bool draw_commitment_valid(const char *text);

/* The commitment of a seed: lowercase hex SHA-256 of its UTF-8 bytes (up to
 * its NUL). */
void draw_commitment(const char *seed, char out[DRAW_HEX_LEN + 1]);

/* Whether the seed's commitment is commitment, compared in constant time.
 * False when either is NULL or commitment is not valid. */
bool draw_seed_matches(const char *seed, const char *commitment);

/* A pool entry's sort key: lowercase hex HMAC-SHA-256 with key = the bytes
 * of seed, ':' and public_entropy (no NUL), message = the bytes of
 * registrar_id. */
void draw_entry_hmac(const char *seed, const char *public_entropy, const char *registrar_id,
                     char out[DRAW_HEX_LEN + 1]);

/* Sorts the n registrar ids (lowercase UUID texts) in place into the draw's
 * order: ascending draw_entry_hmac, ties (never seen in practice) by id. */
void draw_order(const char *seed, const char *public_entropy, char (*ids)[DRAW_ID_SIZE], size_t n);

#endif
