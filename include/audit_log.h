/* The tamper-evident activity log's arithmetic (issue 16, part J): the
 * canonical form of an audit event, its leaf hash, the Merkle tree over a
 * checkpoint's events (RFC 6962/9162 style), audit paths and their check,
 * and the chained checkpoint hash. Pure: no I/O; SHA-256 is libsodium's.
 *
 * Canonical event: the AUDIT_LOG_FIELDS columns below, in that order, each
 * written as a 4-byte big-endian length followed by that many bytes of its
 * text (UTF-8), or as the 4 bytes ff ff ff ff for NULL. The texts: id and
 * the uuid columns as PostgreSQL prints them (lowercase, with dashes); seq
 * and txid in decimal; at as the decimal count of microseconds since
 * 1970-01-01T00:00:00Z; changes as PostgreSQL prints the jsonb value
 * (`changes::text`); the others as stored. The list is fixed: a column
 * added to audit_events later changes no leaf.
 *
 * leaf  = SHA-256(0x00 || canonical event)
 * node  = SHA-256(0x01 || left || right)
 * root of n leaves: the leaf itself for n = 1, else node(root of the first
 *       k, root of the other n - k) with k the largest power of two < n.
 * checkpoint hash = SHA-256(previous hash (32 bytes; 32 zero bytes for the
 *       first checkpoint) || merkle root (32) || first txid || first seq ||
 *       last txid || last seq || event count), each number 8 bytes
 *       big-endian. */
#ifndef PARCERIA_AUDIT_LOG_H
#define PARCERIA_AUDIT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_LOG_HASH 32
#define AUDIT_LOG_HEX 64
#define AUDIT_LOG_FIELDS 16
/* The most levels an audit path has (a tree of up to 2^63 leaves). */
#define AUDIT_LOG_MAX_PATH 63

/* The canonical columns, in order (documentation and tests). */
extern const char *const audit_log_columns[AUDIT_LOG_FIELDS];

/* The canonical form of one event: values[i] is column i's text or NULL.
 * Returns a new buffer (free()) of *len bytes. */
unsigned char *audit_log_canonical(const char *const values[AUDIT_LOG_FIELDS], size_t *len);

/* leaf = SHA-256(0x00 || canonical) */
void audit_log_leaf(const unsigned char *canonical, size_t len, unsigned char out[AUDIT_LOG_HASH]);

/* node = SHA-256(0x01 || left || right) */
void audit_log_node(const unsigned char left[AUDIT_LOG_HASH],
                    const unsigned char right[AUDIT_LOG_HASH], unsigned char out[AUDIT_LOG_HASH]);

/* The Merkle root of n >= 1 leaves (n = 0: SHA-256 of nothing, as RFC 6962). */
void audit_log_root(const unsigned char (*leaves)[AUDIT_LOG_HASH], size_t n,
                    unsigned char out[AUDIT_LOG_HASH]);

/* The audit path of leaf m (< n) in the tree of n leaves, from the leaf's
 * sibling up to the root's child (RFC 6962 PATH(m, D[n])): into path, its
 * length returned (at most AUDIT_LOG_MAX_PATH). */
size_t audit_log_path(const unsigned char (*leaves)[AUDIT_LOG_HASH], size_t n, size_t m,
                      unsigned char (*path)[AUDIT_LOG_HASH]);

/* Whether leaf at index m of a tree of n leaves, with that audit path of
 * len hashes, leads to root (RFC 9162 section 2.1.3.2). */
bool audit_log_path_verify(const unsigned char leaf[AUDIT_LOG_HASH], size_t m, size_t n,
                           const unsigned char (*path)[AUDIT_LOG_HASH], size_t len,
                           const unsigned char root[AUDIT_LOG_HASH]);

/* A checkpoint's covering: its first and last event's (txid, seq), and how
 * many events. */
struct audit_log_span {
    uint64_t first_txid, first_seq, last_txid, last_seq, count;
};

/* The checkpoint hash (previous NULL: the first checkpoint, 32 zero bytes). */
void audit_log_checkpoint_hash(const unsigned char *previous,
                               const unsigned char root[AUDIT_LOG_HASH],
                               const struct audit_log_span *span,
                               unsigned char out[AUDIT_LOG_HASH]);

/* Lowercase hex of a hash (65 bytes with the NUL), and back (false unless
 * exactly 64 lowercase hex digits). */
void audit_log_hex(const unsigned char h[AUDIT_LOG_HASH], char out[AUDIT_LOG_HEX + 1]);
bool audit_log_unhex(const char *hex, unsigned char out[AUDIT_LOG_HASH]);

#endif
