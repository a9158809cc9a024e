/* The tamper-evident log's arithmetic (audit_log.h). */
#include "audit_log.h"

#include "util.h"

#include <sodium.h>
#include <string.h>

const char *const audit_log_columns[AUDIT_LOG_FIELDS] = {
    "id",
    "seq",
    "txid",
    "at",
    "actor_sub",
    "actor_role",
    "actor_registrar_id",
    "registrar_id",
    "action",
    "resource_type",
    "resource_id",
    "from_status",
    "to_status",
    "reason",
    "changes",
    "request_id",
};

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

unsigned char *audit_log_canonical(const char *const values[AUDIT_LOG_FIELDS], size_t *len)
{
    size_t n = 0;
    for (int i = 0; i < AUDIT_LOG_FIELDS; i++)
        n += 4 + (values[i] ? strlen(values[i]) : 0);
    unsigned char *buf = xmalloc(n ? n : 1), *p = buf;
    for (int i = 0; i < AUDIT_LOG_FIELDS; i++) {
        if (values[i] == NULL) {
            put_u32(p, 0xffffffffu);
            p += 4;
            continue;
        }
        size_t k = strlen(values[i]);
        put_u32(p, (uint32_t)k);
        memcpy(p + 4, values[i], k);
        p += 4 + k;
    }
    *len = n;
    return buf;
}

void audit_log_leaf(const unsigned char *canonical, size_t len, unsigned char out[AUDIT_LOG_HASH])
{
    static const unsigned char prefix = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, canonical, len);
    crypto_hash_sha256_final(&st, out);
}

void audit_log_node(const unsigned char left[AUDIT_LOG_HASH],
                    const unsigned char right[AUDIT_LOG_HASH], unsigned char out[AUDIT_LOG_HASH])
{
    unsigned char buf[1 + 2 * AUDIT_LOG_HASH];
    buf[0] = 0x01;
    memcpy(buf + 1, left, AUDIT_LOG_HASH);
    memcpy(buf + 1 + AUDIT_LOG_HASH, right, AUDIT_LOG_HASH);
    crypto_hash_sha256(out, buf, sizeof buf);
}

/* The largest power of two below n (n >= 2). */
static size_t split(size_t n)
{
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

void audit_log_root(const unsigned char (*leaves)[AUDIT_LOG_HASH], size_t n,
                    unsigned char out[AUDIT_LOG_HASH])
{
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], AUDIT_LOG_HASH);
        return;
    }
    size_t k = split(n);
    unsigned char l[AUDIT_LOG_HASH], r[AUDIT_LOG_HASH];
    audit_log_root(leaves, k, l);
    audit_log_root(leaves + k, n - k, r);
    audit_log_node(l, r, out);
}

/* PATH(m, D[n]) of RFC 6962 section 2.1.1, written deepest first. */
size_t audit_log_path(const unsigned char (*leaves)[AUDIT_LOG_HASH], size_t n, size_t m,
                      unsigned char (*path)[AUDIT_LOG_HASH])
{
    if (n <= 1 || m >= n)
        return 0;
    size_t k = split(n), len;
    if (m < k) {
        len = audit_log_path(leaves, k, m, path);
        audit_log_root(leaves + k, n - k, path[len]);
    } else {
        len = audit_log_path(leaves + k, n - k, m - k, path);
        audit_log_root(leaves, k, path[len]);
    }
    return len + 1;
}

/* RFC 9162 section 2.1.3.2, with fn = m and sn = n - 1. */
bool audit_log_path_verify(const unsigned char leaf[AUDIT_LOG_HASH], size_t m, size_t n,
                           const unsigned char (*path)[AUDIT_LOG_HASH], size_t len,
                           const unsigned char root[AUDIT_LOG_HASH])
{
    if (m >= n)
        return false;
    size_t fn = m, sn = n - 1;
    unsigned char r[AUDIT_LOG_HASH];
    memcpy(r, leaf, AUDIT_LOG_HASH);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) == 1 || fn == sn) {
            audit_log_node(path[i], r, r);
            if ((fn & 1) == 0)
                while (fn != 0 && (fn & 1) == 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            audit_log_node(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, AUDIT_LOG_HASH) == 0;
}

void audit_log_checkpoint_hash(const unsigned char *previous,
                               const unsigned char root[AUDIT_LOG_HASH],
                               const struct audit_log_span *span, unsigned char out[AUDIT_LOG_HASH])
{
    unsigned char buf[2 * AUDIT_LOG_HASH + 5 * 8];
    if (previous != NULL)
        memcpy(buf, previous, AUDIT_LOG_HASH);
    else
        memset(buf, 0, AUDIT_LOG_HASH);
    memcpy(buf + AUDIT_LOG_HASH, root, AUDIT_LOG_HASH);
    unsigned char *p = buf + 2 * AUDIT_LOG_HASH;
    put_u64(p, span->first_txid);
    put_u64(p + 8, span->first_seq);
    put_u64(p + 16, span->last_txid);
    put_u64(p + 24, span->last_seq);
    put_u64(p + 32, span->count);
    crypto_hash_sha256(out, buf, sizeof buf);
}

void audit_log_hex(const unsigned char h[AUDIT_LOG_HASH], char out[AUDIT_LOG_HEX + 1])
{
    util_hex(h, AUDIT_LOG_HASH, out);
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool audit_log_unhex(const char *hex, unsigned char out[AUDIT_LOG_HASH])
{
    if (hex == NULL || strlen(hex) != AUDIT_LOG_HEX)
        return false;
    for (size_t i = 0; i < AUDIT_LOG_HASH; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}
