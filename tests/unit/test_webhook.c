/* Webhooks, pure: which addresses a delivery may reach (IPv4, IPv6 and the
 * IPv6 forms that carry an IPv4 address), which target URLs a subscription
 * may name, the secrets' text form, and Standard Webhooks' signature
 * against vectors computed independently (Python's hmac and base64, and
 * the specification's own example). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four above, which it needs */

#include "machine.h"
#include "role.h"
#include "webhook.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *text;
    enum webhook_addr want;
} addresses[] = {
    /* IPv4 */
    {"8.8.8.8", WEBHOOK_ADDR_PUBLIC},
    {"1.1.1.1", WEBHOOK_ADDR_PUBLIC},
    {"193.136.2.228", WEBHOOK_ADDR_PUBLIC},
    {"127.0.0.1", WEBHOOK_ADDR_LOOPBACK},
    {"127.255.255.254", WEBHOOK_ADDR_LOOPBACK},
    {"10.0.0.1", WEBHOOK_ADDR_PRIVATE},
    {"10.255.255.255", WEBHOOK_ADDR_PRIVATE},
    {"172.16.0.1", WEBHOOK_ADDR_PRIVATE},
    {"172.31.255.255", WEBHOOK_ADDR_PRIVATE},
    {"172.15.255.255", WEBHOOK_ADDR_PUBLIC},
    {"172.32.0.0", WEBHOOK_ADDR_PUBLIC},
    {"192.168.1.1", WEBHOOK_ADDR_PRIVATE},
    {"192.169.0.1", WEBHOOK_ADDR_PUBLIC},
    {"169.254.169.254", WEBHOOK_ADDR_LINK_LOCAL}, /* cloud metadata */
    {"100.64.0.1", WEBHOOK_ADDR_SHARED},
    {"100.127.255.255", WEBHOOK_ADDR_SHARED},
    {"100.63.255.255", WEBHOOK_ADDR_PUBLIC},
    {"100.128.0.0", WEBHOOK_ADDR_PUBLIC},
    {"224.0.0.1", WEBHOOK_ADDR_MULTICAST},
    {"239.255.255.250", WEBHOOK_ADDR_MULTICAST},
    {"0.0.0.0", WEBHOOK_ADDR_UNSPECIFIED},
    {"0.1.2.3", WEBHOOK_ADDR_UNSPECIFIED},
    {"255.255.255.255", WEBHOOK_ADDR_RESERVED},
    {"240.0.0.1", WEBHOOK_ADDR_RESERVED},
    {"192.0.2.10", WEBHOOK_ADDR_RESERVED},
    {"198.51.100.7", WEBHOOK_ADDR_RESERVED},
    {"203.0.113.9", WEBHOOK_ADDR_RESERVED},
    {"198.18.0.1", WEBHOOK_ADDR_RESERVED},
    {"192.0.0.8", WEBHOOK_ADDR_RESERVED},
    /* IPv6 */
    {"2001:4860:4860::8888", WEBHOOK_ADDR_PUBLIC},
    {"2a00:1450:4003:80e::200e", WEBHOOK_ADDR_PUBLIC},
    {"::1", WEBHOOK_ADDR_LOOPBACK},
    {"::", WEBHOOK_ADDR_UNSPECIFIED},
    {"fc00::1", WEBHOOK_ADDR_PRIVATE},
    {"fd12:3456:789a::1", WEBHOOK_ADDR_PRIVATE},
    {"fec0::1", WEBHOOK_ADDR_PRIVATE},
    {"fe80::1", WEBHOOK_ADDR_LINK_LOCAL},
    {"febf::1", WEBHOOK_ADDR_LINK_LOCAL},
    {"ff02::1", WEBHOOK_ADDR_MULTICAST},
    {"2001:db8::1", WEBHOOK_ADDR_RESERVED},
    {"2001::1", WEBHOOK_ADDR_RESERVED}, /* Teredo */
    {"100::1", WEBHOOK_ADDR_RESERVED},  /* discard, outside 2000::/3 */
    {"::2", WEBHOOK_ADDR_RESERVED},     /* IPv4-compatible, deprecated */
    /* IPv6 forms of an IPv4 address are what that address is */
    {"::ffff:127.0.0.1", WEBHOOK_ADDR_LOOPBACK},
    {"::ffff:7f00:1", WEBHOOK_ADDR_LOOPBACK},
    {"::ffff:10.1.2.3", WEBHOOK_ADDR_PRIVATE},
    {"::ffff:169.254.169.254", WEBHOOK_ADDR_LINK_LOCAL},
    {"::ffff:100.64.1.1", WEBHOOK_ADDR_SHARED},
    {"::ffff:0.0.0.0", WEBHOOK_ADDR_UNSPECIFIED},
    {"::ffff:8.8.8.8", WEBHOOK_ADDR_PUBLIC},
    {"64:ff9b::127.0.0.1", WEBHOOK_ADDR_LOOPBACK},
    {"64:ff9b::8.8.8.8", WEBHOOK_ADDR_PUBLIC},
    {"2002:7f00:1::1", WEBHOOK_ADDR_LOOPBACK}, /* 6to4 of 127.0.0.1 */
    {"2002:c0a8:101::1", WEBHOOK_ADDR_PRIVATE},
    {"2002:808:808::1", WEBHOOK_ADDR_PUBLIC},
    /* not an address */
    {"localhost", WEBHOOK_ADDR_RESERVED},
    {"127.1", WEBHOOK_ADDR_RESERVED},
    {"", WEBHOOK_ADDR_RESERVED},
};

static void addresses_are_classified(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++) {
        enum webhook_addr got = webhook_addr_classify_text(addresses[i].text);
        if (got != addresses[i].want)
            fail_msg("%s: %s, want %s", addresses[i].text, webhook_addr_name(got),
                     webhook_addr_name(addresses[i].want));
    }
}

static const struct {
    const char *url;
    enum error_code strict;  /* without PARCERIA_WEBHOOK_ALLOW_PRIVATE */
    enum error_code allowed; /* with it */
} urls[] = {
    {"https://hooks.example.pt/parceria", ERR_NONE, ERR_NONE},
    {"https://hooks.example.pt:8443/in?x=1&y=%20", ERR_NONE, ERR_NONE},
    {"https://8.8.8.8/in", ERR_NONE, ERR_NONE},
    {"https://[2001:4860:4860::8888]:443/in", ERR_NONE, ERR_NONE},
    {"https://localhost/in", ERR_NONE, ERR_NONE}, /* a name: checked at each delivery */
    {"http://hooks.example.pt/in", ERR_URL, ERR_NONE},
    {"http://127.0.0.1:8080/in", ERR_URL, ERR_NONE},
    {"https://127.0.0.1/in", ERR_ADDRESS_REFUSED, ERR_NONE},
    {"https://10.0.0.1/in", ERR_ADDRESS_REFUSED, ERR_NONE},
    {"https://169.254.169.254/latest/meta-data", ERR_ADDRESS_REFUSED, ERR_NONE},
    {"https://[::1]/in", ERR_ADDRESS_REFUSED, ERR_NONE},
    {"https://[::ffff:127.0.0.1]/in", ERR_ADDRESS_REFUSED, ERR_NONE},
    {"https://[fd00::1]/in", ERR_ADDRESS_REFUSED, ERR_NONE},
    {"https://0.0.0.0/", ERR_ADDRESS_REFUSED, ERR_NONE},
    /* what resolvers read as addresses is no name */
    {"https://2130706433/", ERR_URL, ERR_URL},
    {"https://0x7f000001/", ERR_URL, ERR_URL},
    {"https://127.1/", ERR_URL, ERR_URL},
    {"https://0x7f.0.0.1/", ERR_URL, ERR_URL},
    /* not URLs a subscription may name */
    {"ftp://example.pt/", ERR_URL, ERR_URL},
    {"HTTPS://example.pt/", ERR_URL, ERR_URL},
    {"https://user:pw@example.pt/", ERR_URL, ERR_URL},
    {"https://example.pt/#frag", ERR_URL, ERR_URL},
    {"https://example.pt:0/", ERR_URL, ERR_URL},
    {"https://example.pt:65536/", ERR_URL, ERR_URL},
    {"https://exa mple.pt/", ERR_URL, ERR_URL},
    {"https://example.pt/a b", ERR_URL, ERR_URL},
    {"https://-bad.pt/", ERR_URL, ERR_URL},
    {"https:///path", ERR_URL, ERR_URL},
    {"https://[fe80::1%25eth0]/", ERR_URL, ERR_URL},
    {"https://[::1/", ERR_URL, ERR_URL},
    {"", ERR_URL, ERR_URL},
};

static void target_urls_are_checked(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
        enum error_code strict = webhook_url_check(urls[i].url, false);
        enum error_code allowed = webhook_url_check(urls[i].url, true);
        if (strict != urls[i].strict || allowed != urls[i].allowed)
            fail_msg("%s: %d/%d, want %d/%d", urls[i].url, strict, allowed, urls[i].strict,
                     urls[i].allowed);
    }
}

static void url_parts(void **state)
{
    (void)state;
    struct webhook_url u;
    assert_true(webhook_url_parse("https://[2001:db8::1]:8443/x", &u));
    assert_true(u.https && u.host_is_ip);
    assert_string_equal(u.host, "2001:db8::1");
    assert_int_equal(u.port, 8443);
    assert_true(webhook_url_parse("http://hooks.example.pt", &u));
    assert_false(u.https || u.host_is_ip);
    assert_string_equal(u.host, "hooks.example.pt");
    assert_int_equal(u.port, 80);
}

static void secrets_round_trip(void **state)
{
    (void)state;
    unsigned char raw[WEBHOOK_SECRET_BYTES], back[WEBHOOK_SECRET_BYTES];
    char text[WEBHOOK_SECRET_TEXT];
    for (int i = 0; i < WEBHOOK_SECRET_BYTES; i++)
        raw[i] = (unsigned char)i;
    webhook_secret_text(raw, text);
    /* base64.b64encode(bytes(range(32))) */
    assert_string_equal(text, "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    assert_true(webhook_secret_bytes(text, back));
    assert_memory_equal(raw, back, sizeof raw);
    assert_false(webhook_secret_bytes("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", back));
    assert_false(webhook_secret_bytes("whsec_AAEC", back));
    assert_false(webhook_secret_bytes("whsec_!!!!", back));
}

static void signatures_match_independent_vectors(void **state)
{
    (void)state;
    char sig[WEBHOOK_SIGNATURE_LEN];
    unsigned char raw[WEBHOOK_SECRET_BYTES];
    /* Python: base64.b64encode(hmac.new(bytes(range(32)),
     * f"{id}.{ts}.{body}".encode(), hashlib.sha256).digest()) */
    static const char body[] = "{\"type\":\"contact.created\",\"timestamp\":"
                               "\"2022-11-03T20:26:10.344522Z\",\"data\":{\"id\":\"c_1\"}}";
    assert_true(webhook_secret_bytes("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", raw));
    webhook_sign(raw, sizeof raw, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", 1674087231, body, strlen(body),
                 sig);
    assert_string_equal(sig, "v1,VKBTSc1AMfmgxZ//BrjLm/VwrAyNZ6OcZpwCjI8Ydfc=");
    /* The Standard Webhooks specification's example: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
     * (24 bytes), msg_p5jXN8AQM9LWM0D4loKWxJek at 1614265330. */
    static const unsigned char spec_key[] = {0x31, 0xf2, 0x90, 0xf6, 0xbf, 0x06, 0x29, 0x8a,
                                             0xab, 0x4f, 0x08, 0xd4, 0x3c, 0x3f, 0x08, 0x2c,
                                             0xf6, 0x48, 0xa3, 0x62, 0xda, 0x2d, 0xa4, 0xb0};
    static const char spec_body[] = "{\"test\": 2432232314}";
    webhook_sign(spec_key, sizeof spec_key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, spec_body,
                 strlen(spec_body), sig);
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* a byte of the body, the id or the time changes it */
    char other[WEBHOOK_SIGNATURE_LEN];
    webhook_sign(spec_key, sizeof spec_key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, spec_body,
                 strlen(spec_body), other);
    assert_string_not_equal(sig, other);
}

static void editing_is_for_owners_in_any_state(void **state)
{
    (void)state;
    static const unsigned roles[] = {ROLE_ADMIN, ROLE_STAFF, ROLE_REGISTRAR, ROLE_APPLICANT,
                                     ROLE_TEACHER};
    for (int s = 0; s < WEBHOOK_STATUS_COUNT; s++)
        for (size_t r = 0; r < sizeof roles / sizeof *roles; r++) {
            int to = -2;
            enum status st =
                machine_transition(&webhook_machine, s, WEBHOOK_ACT_EDIT, roles[r], &to);
            bool owner = roles[r] & (ROLE_ADMIN | ROLE_STAFF | ROLE_REGISTRAR);
            assert_int_equal(st, owner ? ST_OK : ST_FORBIDDEN);
        }
    struct webhook_row w = {.status = WEBHOOK_DISABLED};
    webhook_edit_status(&w, WEBHOOK_ACTIVE);
    assert_string_equal(w.disabled_reason, "disabled on request");
    w.status = WEBHOOK_ACTIVE;
    webhook_edit_status(&w, WEBHOOK_DISABLED);
    assert_string_equal(w.disabled_reason, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addresses_are_classified),
        cmocka_unit_test(target_urls_are_checked),
        cmocka_unit_test(url_parts),
        cmocka_unit_test(secrets_round_trip),
        cmocka_unit_test(signatures_match_independent_vectors),
        cmocka_unit_test(editing_is_for_owners_in_any_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
