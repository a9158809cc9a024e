/* Webhook subscriptions (DOMAIN.md section 7; Standard Webhooks): the
 * status machine, the row, which target URLs and addresses may be called,
 * the secrets' text form and the signature. Pure: no I/O.
 *
 *   action          who                from              to
 *   edit (PATCH)    staff, registrar   active, disabled  (unchanged; the
 *                                                        edit may set status)
 *
 * A registrar manages its own subscriptions only; staff manage all. A 410
 * answer from the target disables a subscription (disabled_reason says so). */
#ifndef PARCERIA_WEBHOOK_H
#define PARCERIA_WEBHOOK_H

#include "error_code.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum webhook_status {
    WEBHOOK_ACTIVE,
    WEBHOOK_DISABLED,
};
#define WEBHOOK_STATUS_COUNT 2

enum webhook_action {
    WEBHOOK_ACT_EDIT,
};
#define WEBHOOK_ACTION_COUNT 1

struct machine;
extern const struct machine webhook_machine;
extern const char *const webhook_status_names[]; /* NULL-terminated */

#define WEBHOOK_URL_MAX 2000
#define WEBHOOK_MAX_EVENTS 64
#define WEBHOOK_EVENT_MAX 48
#define WEBHOOK_DESCRIPTION_MAX 200
#define WEBHOOK_MAX_SECRETS 5 /* live secrets of one subscription */

struct webhook_row {
    char id[37];
    char registrar_id[37]; /* empty: staff's */
    char url[WEBHOOK_URL_MAX + 1];
    char events[WEBHOOK_MAX_EVENTS][WEBHOOK_EVENT_MAX + 1]; /* none: every event type */
    size_t nevents;
    char description[4 * WEBHOOK_DESCRIPTION_MAX + 1]; /* empty: none */
    enum webhook_status status;
    char disabled_reason[201]; /* empty: none */
    int version;
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
    json_t *secrets; /* the live secrets: [{id, hint, created_at}], oldest first */
};
void webhook_row_cleanup(struct webhook_row *row);

/* An edit that sets w's status from from: disabling by request says so in
 * disabled_reason; activating again clears it. */
void webhook_edit_status(struct webhook_row *w, enum webhook_status from);

const char *webhook_status_name(enum webhook_status status);
bool webhook_status_parse(const char *name, enum webhook_status *out);

/* --- Target URLs and addresses ------------------------------------------ */

/* What an address is, for the refusal of targets inside our network. */
enum webhook_addr {
    WEBHOOK_ADDR_PUBLIC,      /* global unicast: may be called */
    WEBHOOK_ADDR_LOOPBACK,    /* 127/8, ::1 */
    WEBHOOK_ADDR_PRIVATE,     /* RFC 1918, fc00::/7 (and fec0::/10) */
    WEBHOOK_ADDR_LINK_LOCAL,  /* 169.254/16, fe80::/10 */
    WEBHOOK_ADDR_MULTICAST,   /* 224/4, ff00::/8 */
    WEBHOOK_ADDR_UNSPECIFIED, /* 0/8, :: */
    WEBHOOK_ADDR_SHARED,      /* 100.64/10 (carrier-grade NAT) */
    WEBHOOK_ADDR_RESERVED, /* documentation, benchmarking, broadcast, 240/4, outside 2000::/3… */
};
/* Classifies a binary address: family AF_INET (4 bytes) or AF_INET6 (16
 * bytes). IPv6 forms that carry an IPv4 address (::ffff:a.b.c.d, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) are what that IPv4 address is. */
enum webhook_addr webhook_addr_classify(int family, const unsigned char *addr);
/* The same for an address's text ("10.0.0.1", "::1"); RESERVED when text
 * is no address. */
enum webhook_addr webhook_addr_classify_text(const char *text);
/* "loopback", "private", …; "public". */
const char *webhook_addr_name(enum webhook_addr a);

/* A target URL's parts. */
struct webhook_url {
    bool https;      /* else http */
    char host[256];  /* a name, or an address (IPv6 without its brackets) */
    bool host_is_ip; /* host is an address literal */
    unsigned port;   /* 443 or 80 when the URL names none */
};
/* Parses an http(s) URL strictly: lower-case scheme, no user information,
 * no fragment, a host name of letters, digits and hyphens whose last label
 * starts with a letter, or a dotted-quad IPv4 or bracketed IPv6 address,
 * an optional port, a path and query of visible ASCII. */
bool webhook_url_parse(const char *url, struct webhook_url *out);
/* The field rule of url: webhook_url_parse accepts it. */
bool webhook_url_syntax(const char *url);
/* Whether a subscription may target url: ERR_NONE; ERR_URL when it is not
 * an https URL (http is allowed with allow_private, for tests);
 * ERR_ADDRESS_REFUSED when it names an address that is not public (allowed
 * with allow_private). Host names are checked after resolution, at each
 * delivery. */
enum error_code webhook_url_check(const char *url, bool allow_private);

/* --- Secrets and signatures --------------------------------------------- */

#define WEBHOOK_SECRET_BYTES 32
#define WEBHOOK_SECRET_PREFIX "whsec_"
/* "whsec_" and the standard base64 of 32 bytes, with its NUL. */
#define WEBHOOK_SECRET_TEXT 51
/* A secret's text form: "whsec_" + base64(raw). */
void webhook_secret_text(const unsigned char raw[WEBHOOK_SECRET_BYTES],
                         char out[WEBHOOK_SECRET_TEXT]);
/* The bytes of a secret's text (the base64 after "whsec_"); false when it
 * is not one. */
bool webhook_secret_bytes(const char *text, unsigned char raw[WEBHOOK_SECRET_BYTES]);

/* "v1," and the standard base64 of a 32-byte MAC, with its NUL. */
#define WEBHOOK_SIGNATURE_LEN 48
/* Standard Webhooks' signature: "v1," + base64(HMAC-SHA-256(key,
 * "<msg_id>.<timestamp>.<body>")). */
void webhook_sign(const unsigned char *key, size_t key_len, const char *msg_id, long long timestamp,
                  const char *body, size_t body_len, char out[WEBHOOK_SIGNATURE_LEN]);

#endif
