/* The tamper-evident log's arithmetic against known vectors: the
 * certificate-transparency test data of RFC 6962 (the root of its eight
 * inputs), and vectors computed independently with Python's hashlib from
 * the encodings audit_log.h documents (the canonical event, the leaves
 * SHA-256(0x00 || bytes([i])), roots, audit paths, the chained checkpoint
 * hash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "audit_log.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void hex_is(const unsigned char h[AUDIT_LOG_HASH], const char *expected)
{
    char out[AUDIT_LOG_HEX + 1];
    audit_log_hex(h, out);
    assert_string_equal(out, expected);
}

/* leaves[i] = SHA-256(0x00 || byte i), i < 7 */
static void seven_leaves(unsigned char (*leaves)[AUDIT_LOG_HASH])
{
    for (unsigned i = 0; i < 7; i++) {
        unsigned char b = (unsigned char)i;
        audit_log_leaf(&b, 1, leaves[i]);
    }
}

static void canonical_event_vector(void **state)
{
    (void)state;
    const char *v[AUDIT_LOG_FIELDS] = {"0b3c3f7e-6a51-4b0e-9b53-1f0e2d6a9c01",
                                       "42",
                                       "731",
                                       "1798761600123456",
                                       "staff-1",
                                       "staff",
                                       NULL,
                                       "1f0e2d6a-9c01-4b0e-9b53-0b3c3f7e6a51",
                                       "approve",
                                       "accreditation_application",
                                       "app-1",
                                       "submitted",
                                       "approved",
                                       "Tudo em ordem \xe2\x80\x94 ok",
                                       "{\"name\": \"a1b2\"}",
                                       "req-1"};
    size_t len = 0;
    unsigned char *c = audit_log_canonical(v, &len);
    assert_int_equal(len, 264);
    /* the id's length (36) then its first bytes */
    assert_memory_equal(c,
                        "\x00\x00\x00\x24"
                        "0b3c3f7e",
                        12);
    /* python3 ref: hashlib.sha256(b"\x00" + canonical).hexdigest() */
    unsigned char leaf[AUDIT_LOG_HASH];
    audit_log_leaf(c, len, leaf);
    hex_is(leaf, "3a3d0c98f65e90c18d739883d61077d9ecd86f495849cc1b7836ab5892292a5e");
    free(c);
    assert_string_equal(audit_log_columns[0], "id");
    assert_string_equal(audit_log_columns[14], "changes");
    assert_string_equal(audit_log_columns[15], "request_id");
}

static void null_differs_from_empty(void **state)
{
    (void)state;
    const char *a[AUDIT_LOG_FIELDS] = {0}, *b[AUDIT_LOG_FIELDS] = {0};
    b[13] = "";
    size_t la, lb;
    unsigned char *ca = audit_log_canonical(a, &la), *cb = audit_log_canonical(b, &lb);
    assert_int_equal(la, 64);
    assert_int_equal(lb, 64);
    assert_memory_not_equal(ca, cb, 64);
    free(ca);
    free(cb);
}

static void rfc6962_roots(void **state)
{
    (void)state;
    static const char *inputs[] = {"",
                                   "00",
                                   "10",
                                   "2021",
                                   "3031",
                                   "40414243",
                                   "5051525354555657",
                                   "606162636465666768696a6b6c6d6e6f"};
    unsigned char leaves[8][AUDIT_LOG_HASH], root[AUDIT_LOG_HASH], bytes[16];
    for (int i = 0; i < 8; i++) {
        size_t n = strlen(inputs[i]) / 2;
        for (size_t j = 0; j < n; j++) {
            unsigned x;
            sscanf(inputs[i] + 2 * j, "%2x", &x);
            bytes[j] = (unsigned char)x;
        }
        audit_log_leaf(bytes, n, leaves[i]);
    }
    hex_is(leaves[0], "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    audit_log_root((const unsigned char(*)[AUDIT_LOG_HASH])leaves, 8, root);
    hex_is(root, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    audit_log_root((const unsigned char(*)[AUDIT_LOG_HASH])leaves, 2, root);
    hex_is(root, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
    unsigned char path[AUDIT_LOG_MAX_PATH][AUDIT_LOG_HASH];
    size_t len = audit_log_path((const unsigned char(*)[AUDIT_LOG_HASH])leaves, 5, 4, path);
    assert_int_equal(len, 1);
    hex_is(path[0], "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    audit_log_root(NULL, 0, root);
    hex_is(root, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void roots_and_paths_of_seven(void **state)
{
    (void)state;
    unsigned char leaves[7][AUDIT_LOG_HASH], root[AUDIT_LOG_HASH];
    const unsigned char(*l)[AUDIT_LOG_HASH] = (const unsigned char(*)[AUDIT_LOG_HASH])leaves;
    seven_leaves(leaves);
    hex_is(leaves[0], "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
    audit_log_root(l, 1, root);
    hex_is(root, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
    audit_log_root(l, 3, root);
    hex_is(root, "3b6cccd7e3e023ff393006f030315ee7ad9eb111b022b41fba7e5b7a3973f688");
    audit_log_root(l, 7, root);
    hex_is(root, "3560191803028444b232018ac047fdb561c09c23a7a6876c85e08b5e4d48e9f3");

    unsigned char path[AUDIT_LOG_MAX_PATH][AUDIT_LOG_HASH];
    size_t len = audit_log_path(l, 7, 3, path);
    assert_int_equal(len, 3);
    hex_is(path[0], "fcf0a6c700dd13e274b6fba8deea8dd9b26e4eedde3495717cac8408c9c5177f");
    hex_is(path[1], "a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a");
    hex_is(path[2], "89c929834ed1459b07f65b5e1a2143a8cf5d8efdf30f49ffffa328bb1d9133bb");
    len = audit_log_path(l, 7, 6, path);
    assert_int_equal(len, 2);
    hex_is(path[0], "4b8c129ed14cce2c08cfc6766db7f8cdb133b5f698b8de3d5890ea7ff7f0a8d1");
    hex_is(path[1], "9bcd51240af4005168f033121ba85be5a6ed4f0e6a5fac262066729b8fbfdecb");
    assert_int_equal(audit_log_path(l, 1, 0, path), 0);
}

/* Every leaf of every tree size up to 7 proves against its root, and
 * nothing else does: another index, another tree's root, a changed or
 * shortened path. */
static void every_path_verifies_and_no_other(void **state)
{
    (void)state;
    unsigned char leaves[7][AUDIT_LOG_HASH], root[AUDIT_LOG_HASH];
    unsigned char path[AUDIT_LOG_MAX_PATH][AUDIT_LOG_HASH];
    const unsigned char(*l)[AUDIT_LOG_HASH] = (const unsigned char(*)[AUDIT_LOG_HASH])leaves;
    const unsigned char(*p)[AUDIT_LOG_HASH] = (const unsigned char(*)[AUDIT_LOG_HASH])path;
    seven_leaves(leaves);
    for (size_t n = 1; n <= 7; n++) {
        audit_log_root(l, n, root);
        for (size_t m = 0; m < n; m++) {
            size_t len = audit_log_path(l, n, m, path);
            assert_true(audit_log_path_verify(leaves[m], m, n, p, len, root));
            if (n < 7) { /* the root of another tree (the size alone may share the shape) */
                unsigned char other[AUDIT_LOG_HASH];
                audit_log_root(l, n + 1, other);
                assert_false(audit_log_path_verify(leaves[m], m, n + 1, p, len, other));
            }
            assert_false(audit_log_path_verify(leaves[m], n, n, p, len, root));
            if (n > 1) {
                assert_false(audit_log_path_verify(leaves[m], (m + 1) % n, n, p, len, root));
                path[0][0] ^= 1;
                assert_false(audit_log_path_verify(leaves[m], m, n, p, len, root));
                assert_false(audit_log_path_verify(leaves[m], m, n, p, len - 1, root));
            }
        }
    }
}

static void checkpoint_chain_vectors(void **state)
{
    (void)state;
    unsigned char leaves[7][AUDIT_LOG_HASH], root[AUDIT_LOG_HASH], cp1[AUDIT_LOG_HASH],
        cp2[AUDIT_LOG_HASH], zero[AUDIT_LOG_HASH] = {0}, again[AUDIT_LOG_HASH];
    const unsigned char(*l)[AUDIT_LOG_HASH] = (const unsigned char(*)[AUDIT_LOG_HASH])leaves;
    seven_leaves(leaves);
    audit_log_root(l, 7, root);
    struct audit_log_span s1 = {731, 42, 900, 77, 7};
    /* sha256(b"\0"*32 + root + struct.pack(">QQQQQ", 731, 42, 900, 77, 7)) */
    audit_log_checkpoint_hash(NULL, root, &s1, cp1);
    hex_is(cp1, "c4acfb3687bf2fbf636ed083eb915b13b29a7418d70c0f81b94cec52bbeea027");
    audit_log_checkpoint_hash(zero, root, &s1, again);
    assert_memory_equal(cp1, again, AUDIT_LOG_HASH);
    audit_log_root(l, 3, root);
    struct audit_log_span s2 = {901, 78, 905, 80, 3};
    audit_log_checkpoint_hash(cp1, root, &s2, cp2);
    hex_is(cp2, "b38595634633b1e02b9e966a6a1ce0b68a8a83d266be003d112bc65d8a146225");
    s2.count = 4;
    audit_log_checkpoint_hash(cp1, root, &s2, again);
    assert_memory_not_equal(cp2, again, AUDIT_LOG_HASH);
}

static void hex_round_trip(void **state)
{
    (void)state;
    unsigned char h[AUDIT_LOG_HASH], back[AUDIT_LOG_HASH];
    char hex[AUDIT_LOG_HEX + 1];
    for (int i = 0; i < AUDIT_LOG_HASH; i++)
        h[i] = (unsigned char)(i * 7 + 3);
    audit_log_hex(h, hex);
    assert_true(audit_log_unhex(hex, back));
    assert_memory_equal(h, back, AUDIT_LOG_HASH);
    hex[0] = 'A';
    assert_false(audit_log_unhex(hex, back));
    assert_false(audit_log_unhex("00", back));
    assert_false(audit_log_unhex(NULL, back));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canonical_event_vector),
        cmocka_unit_test(null_differs_from_empty),
        cmocka_unit_test(rfc6962_roots),
        cmocka_unit_test(roots_and_paths_of_seven),
        cmocka_unit_test(every_path_verifies_and_no_other),
        cmocka_unit_test(checkpoint_chain_vectors),
        cmocka_unit_test(hex_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
