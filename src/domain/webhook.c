/* Webhooks, pure: the subscription's machine, the target URL's syntax, the
 * classification of addresses a delivery may not reach, and Standard
 * Webhooks' secrets and signatures. No I/O. */
#include "webhook.h"

#include "machine.h"
#include "role.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OWNERS (ROLE_STAFF | ROLE_ADMIN | ROLE_REGISTRAR)
#define ANY_STATE (MACHINE_BIT(WEBHOOK_ACTIVE) | MACHINE_BIT(WEBHOOK_DISABLED))

const char *const webhook_status_names[WEBHOOK_STATUS_COUNT + 1] = {
    [WEBHOOK_ACTIVE] = "active",
    [WEBHOOK_DISABLED] = "disabled",
    [WEBHOOK_STATUS_COUNT] = NULL,
};

static const struct machine_action actions[WEBHOOK_ACTION_COUNT] = {
    [WEBHOOK_ACT_EDIT] = {"edit", OWNERS, ANY_STATE, MACHINE_SAME, false, 0},
};

const struct machine webhook_machine = {webhook_status_names, WEBHOOK_STATUS_COUNT, actions,
                                        WEBHOOK_ACTION_COUNT};

void webhook_row_cleanup(struct webhook_row *row)
{
    json_decref(row->secrets);
    row->secrets = NULL;
}

void webhook_edit_status(struct webhook_row *w, enum webhook_status from)
{
    if (w->status == WEBHOOK_ACTIVE)
        w->disabled_reason[0] = '\0';
    else if (from != WEBHOOK_DISABLED)
        snprintf(w->disabled_reason, sizeof w->disabled_reason, "disabled on request");
}

const char *webhook_status_name(enum webhook_status status)
{
    return (unsigned)status < WEBHOOK_STATUS_COUNT ? webhook_status_names[status] : NULL;
}

bool webhook_status_parse(const char *name, enum webhook_status *out)
{
    int i = machine_state(&webhook_machine, name);
    if (i >= 0)
        *out = (enum webhook_status)i;
    return i >= 0;
}

/* --- addresses ------------------------------------------------------------ */

static bool in4(uint32_t a, uint32_t net, int bits)
{
    uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (a & mask) == net;
}

#define V4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static enum webhook_addr classify4(const unsigned char *p)
{
    uint32_t a = V4(p[0], p[1], p[2], p[3]);
    static const struct {
        uint32_t net;
        int bits;
        enum webhook_addr what;
    } nets[] = {
        {V4(0, 0, 0, 0), 8, WEBHOOK_ADDR_UNSPECIFIED},
        {V4(10, 0, 0, 0), 8, WEBHOOK_ADDR_PRIVATE},
        {V4(100, 64, 0, 0), 10, WEBHOOK_ADDR_SHARED},
        {V4(127, 0, 0, 0), 8, WEBHOOK_ADDR_LOOPBACK},
        {V4(169, 254, 0, 0), 16, WEBHOOK_ADDR_LINK_LOCAL},
        {V4(172, 16, 0, 0), 12, WEBHOOK_ADDR_PRIVATE},
        {V4(192, 0, 0, 0), 24, WEBHOOK_ADDR_RESERVED},   /* IETF protocol assignments */
        {V4(192, 0, 2, 0), 24, WEBHOOK_ADDR_RESERVED},   /* documentation */
        {V4(192, 88, 99, 0), 24, WEBHOOK_ADDR_RESERVED}, /* 6to4 relays */
        {V4(192, 168, 0, 0), 16, WEBHOOK_ADDR_PRIVATE},
        {V4(198, 18, 0, 0), 15, WEBHOOK_ADDR_RESERVED},   /* benchmarking */
        {V4(198, 51, 100, 0), 24, WEBHOOK_ADDR_RESERVED}, /* documentation */
        {V4(203, 0, 113, 0), 24, WEBHOOK_ADDR_RESERVED},  /* documentation */
        {V4(224, 0, 0, 0), 4, WEBHOOK_ADDR_MULTICAST},
        {V4(240, 0, 0, 0), 4, WEBHOOK_ADDR_RESERVED}, /* and 255.255.255.255 */
    };
    for (size_t i = 0; i < sizeof nets / sizeof *nets; i++)
        if (in4(a, nets[i].net, nets[i].bits))
            return nets[i].what;
    return WEBHOOK_ADDR_PUBLIC;
}

static bool zeros(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static enum webhook_addr classify6(const unsigned char *p)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (zeros(p, 15))
        return p[15] == 0   ? WEBHOOK_ADDR_UNSPECIFIED
               : p[15] == 1 ? WEBHOOK_ADDR_LOOPBACK
                            : WEBHOOK_ADDR_RESERVED;
    if (memcmp(p, mapped, 12) == 0 || memcmp(p, nat64, 12) == 0)
        return classify4(p + 12);
    if (p[0] == 0x20 && p[1] == 0x02) /* 6to4: 2002:AABB:CCDD::/48 */
        return classify4(p + 2);
    if ((p[0] & 0xfe) == 0xfc || (p[0] == 0xfe && (p[1] & 0xc0) == 0xc0))
        return WEBHOOK_ADDR_PRIVATE; /* unique local, and the old site-local */
    if (p[0] == 0xfe && (p[1] & 0xc0) == 0x80)
        return WEBHOOK_ADDR_LINK_LOCAL;
    if (p[0] == 0xff)
        return WEBHOOK_ADDR_MULTICAST;
    if ((p[0] & 0xe0) != 0x20)
        return WEBHOOK_ADDR_RESERVED; /* outside global unicast 2000::/3 */
    if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0x0d && p[3] == 0xb8)
        return WEBHOOK_ADDR_RESERVED; /* documentation */
    if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0 && p[3] <= 0x01)
        return WEBHOOK_ADDR_RESERVED; /* Teredo 2001::/32 (hides an IPv4), 2001:1::/32 */
    if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0 && (p[3] & 0xf0) == 0x10)
        return WEBHOOK_ADDR_RESERVED; /* ORCHID 2001:10::/28 */
    return WEBHOOK_ADDR_PUBLIC;
}

enum webhook_addr webhook_addr_classify(int family, const unsigned char *addr)
{
    if (family == AF_INET)
        return classify4(addr);
    if (family == AF_INET6)
        return classify6(addr);
    return WEBHOOK_ADDR_RESERVED;
}

enum webhook_addr webhook_addr_classify_text(const char *text)
{
    unsigned char buf[16];
    if (text != NULL && inet_pton(AF_INET, text, buf) == 1)
        return classify4(buf);
    if (text != NULL && inet_pton(AF_INET6, text, buf) == 1)
        return classify6(buf);
    return WEBHOOK_ADDR_RESERVED;
}

const char *webhook_addr_name(enum webhook_addr a)
{
    static const char *const names[] = {
        [WEBHOOK_ADDR_PUBLIC] = "public",         [WEBHOOK_ADDR_LOOPBACK] = "loopback",
        [WEBHOOK_ADDR_PRIVATE] = "private",       [WEBHOOK_ADDR_LINK_LOCAL] = "link-local",
        [WEBHOOK_ADDR_MULTICAST] = "multicast",   [WEBHOOK_ADDR_UNSPECIFIED] = "unspecified",
        [WEBHOOK_ADDR_SHARED] = "shared (CGNAT)", [WEBHOOK_ADDR_RESERVED] = "reserved",
    };
    return (unsigned)a < sizeof names / sizeof *names ? names[a] : "reserved";
}

/* --- URLs ------------------------------------------------------------------- */

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A DNS name: labels of 1..63 letters, digits and inner hyphens, the last
 * starting with a letter (so "2130706433" or "0x7f.1", which resolvers read
 * as addresses, are no names). */
static bool host_name_ok(const char *h, size_t n)
{
    size_t label = 0;
    const char *last = h;
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == '.') {
            if (label == 0 || h[i - 1] == '-')
                return false;
            label = 0;
            last = h + i + 1;
        } else if (is_alnum(h[i]) || (h[i] == '-' && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && h[n - 1] != '-' && is_alpha(*last);
}

static bool port_of(const char *p, size_t n, unsigned *port)
{
    unsigned long v = 0;
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    *port = (unsigned)v;
    return v >= 1 && v <= 65535;
}

static bool tail_ok(const char *p)
{
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}#", c) != NULL)
            return false;
        if (c == '%' && !(isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])))
            return false;
    }
    return true;
}

/* The host of an authority (without its port) into out. */
static bool host_of(const char *a, size_t n, struct webhook_url *out)
{
    unsigned char buf[16];
    if (n >= sizeof out->host)
        return false;
    if (a[0] == '[') {
        if (n < 3 || a[n - 1] != ']')
            return false;
        snprintf(out->host, sizeof out->host, "%.*s", (int)(n - 2), a + 1);
        out->host_is_ip = true;
        return inet_pton(AF_INET6, out->host, buf) == 1;
    }
    snprintf(out->host, sizeof out->host, "%.*s", (int)n, a);
    out->host_is_ip = inet_pton(AF_INET, out->host, buf) == 1;
    return out->host_is_ip || host_name_ok(a, n);
}

bool webhook_url_parse(const char *url, struct webhook_url *out)
{
    memset(out, 0, sizeof *out);
    if (url == NULL || strlen(url) > WEBHOOK_URL_MAX)
        return false;
    const char *a;
    if (strncmp(url, "https://", 8) == 0)
        out->https = true, a = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        a = url + 7;
    else
        return false;
    size_t n = strcspn(a, "/?#");
    if (memchr(a, '@', n) != NULL || n == 0) /* user information */
        return false;
    const char *close = a[0] == '[' ? memchr(a, ']', n) : NULL;
    const char *colon = memchr(close ? close : a, ':', n - (size_t)((close ? close : a) - a));
    size_t host_len = colon ? (size_t)(colon - a) : n;
    out->port = out->https ? 443 : 80;
    if (colon != NULL && !port_of(colon + 1, n - host_len - 1, &out->port))
        return false;
    return host_of(a, host_len, out) && tail_ok(a + n);
}

bool webhook_url_syntax(const char *url)
{
    struct webhook_url u;
    return webhook_url_parse(url, &u);
}

enum error_code webhook_url_check(const char *url, bool allow_private)
{
    struct webhook_url u;
    if (!webhook_url_parse(url, &u) || (!u.https && !allow_private))
        return ERR_URL;
    if (u.host_is_ip && !allow_private && webhook_addr_classify_text(u.host) != WEBHOOK_ADDR_PUBLIC)
        return ERR_ADDRESS_REFUSED;
    return ERR_NONE;
}

/* --- secrets and signatures ------------------------------------------------ */

void webhook_secret_text(const unsigned char raw[WEBHOOK_SECRET_BYTES],
                         char out[WEBHOOK_SECRET_TEXT])
{
    memcpy(out, WEBHOOK_SECRET_PREFIX, sizeof WEBHOOK_SECRET_PREFIX - 1);
    sodium_bin2base64(out + sizeof WEBHOOK_SECRET_PREFIX - 1,
                      WEBHOOK_SECRET_TEXT - (sizeof WEBHOOK_SECRET_PREFIX - 1), raw,
                      WEBHOOK_SECRET_BYTES, sodium_base64_VARIANT_ORIGINAL);
}

bool webhook_secret_bytes(const char *text, unsigned char raw[WEBHOOK_SECRET_BYTES])
{
    size_t len = 0;
    const char *b64 = text + sizeof WEBHOOK_SECRET_PREFIX - 1;
    return text != NULL &&
           strncmp(text, WEBHOOK_SECRET_PREFIX, sizeof WEBHOOK_SECRET_PREFIX - 1) == 0 &&
           sodium_base642bin(raw, WEBHOOK_SECRET_BYTES, b64, strlen(b64), NULL, &len, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           len == WEBHOOK_SECRET_BYTES;
}

void webhook_sign(const unsigned char *key, size_t key_len, const char *msg_id, long long timestamp,
                  const char *body, size_t body_len, char out[WEBHOOK_SIGNATURE_LEN])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24];
    crypto_auth_hmacsha256_state st;
    snprintf(ts, sizeof ts, ".%lld.", timestamp);
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg_id, strlen(msg_id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, WEBHOOK_SIGNATURE_LEN - 3, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(mac, sizeof mac);
}
