/* The .pt name parser of pt_domain.h. The input is screened for characters
 * the UTS #46 mapping would drop or turn into something else unseen, then
 * brought to A-label form (libidn2), held to the DNS label rules, to the
 * shape of a registrable .pt name, and decoded back: an A-label is accepted
 * only when its U-label encodes to it again. */
#include "pt_domain.h"

#include "util.h"
#include "validate.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#define IDN_FLAGS (IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL)

static const char *const zones[] = PT_DOMAIN_ZONES;

/* What UTS #46 maps to nothing and validate_text lets through: soft
 * hyphen, combining grapheme joiner, Mongolian and other variation
 * selectors, shorthand format controls. */
static bool ignorable(ucs4_t cp)
{
    return cp == 0xad || cp == 0x34f || (cp >= 0x180b && cp <= 0x180f) ||
           (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1bca0 && cp <= 0x1bca3) ||
           (cp >= 0xe0000 && cp <= 0xe0fff);
}

static bool ldh(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Refuses what no name holds before any conversion. */
static enum error_code input_refusal(const char *in, size_t len)
{
    if (!util_valid_utf8(in, len))
        return ERR_ENCODING;
    char *text = NULL;
    enum error_code why = validate_text(in, &text);
    free(text);
    if (why != ERR_NONE)
        return why == ERR_BLANK ? ERR_DOMAIN_NAME : why;
    for (size_t i = 0; i < len;) {
        ucs4_t cp;
        int n = u8_mbtouc(&cp, (const uint8_t *)in + i, len - i);
        if (ignorable(cp))
            return ERR_ZERO_WIDTH;
        char c = cp >= 0x80 ? 'a' : cp >= 'A' && cp <= 'Z' ? (char)(cp | 0x20) : (char)cp;
        if (!ldh(c) && c != '.')
            return ERR_DOMAIN_NAME; /* space, '_', '@', ':', '/', … */
        i += (size_t)n;
    }
    return ERR_NONE;
}

static enum error_code lower_copy(const char *s, char ascii[PT_DOMAIN_NAME_MAX + 1])
{
    size_t n = strlen(s);
    if (n > PT_DOMAIN_NAME_MAX)
        return ERR_TOO_LONG;
    for (size_t i = 0; i <= n; i++)
        ascii[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] | 0x20) : s[i];
    return ERR_NONE;
}

/* The A-label form of name (NUL-terminated, no final dot) into ascii. */
static enum error_code to_ascii(const char *name, char ascii[PT_DOMAIN_NAME_MAX + 1])
{
    bool plain = true;
    for (const char *p = name; *p && plain; p++)
        plain = (unsigned char)*p < 0x80;
    if (plain)
        return lower_copy(name, ascii);
    char *out = NULL;
    int rc = idn2_to_ascii_8z(name, &out, IDN_FLAGS);
    bool too_long =
        rc == IDN2_TOO_BIG_DOMAIN || rc == IDN2_TOO_BIG_LABEL || rc == IDN2_PUNYCODE_BIG_OUTPUT;
    enum error_code why = rc == IDN2_OK ? ERR_NONE : too_long ? ERR_TOO_LONG : ERR_DOMAIN_NAME;
    if (why == ERR_NONE)
        why = lower_copy(out, ascii);
    idn2_free(out);
    return why;
}

/* RFC 1035 and 5891 on the A-label form: the length of the whole, then
 * each label's. Counts the labels into *count. */
static enum error_code syntax_refusal(const char *ascii, size_t *count)
{
    if (strlen(ascii) > PT_DOMAIN_NAME_MAX)
        return ERR_TOO_LONG;
    *count = 0;
    for (const char *label = ascii;; label++) {
        size_t n = strcspn(label, ".");
        if (n == 0)
            return ERR_DOMAIN_NAME;
        if (n > PT_DOMAIN_LABEL_MAX)
            return ERR_TOO_LONG;
        for (size_t i = 0; i < n; i++)
            if (!ldh(label[i]))
                return ERR_DOMAIN_NAME;
        if (label[0] == '-' || label[n - 1] == '-')
            return ERR_DOMAIN_NAME;
        if (n >= 4 && label[2] == '-' && label[3] == '-' && strncmp(label, "xn--", 4) != 0)
            return ERR_DOMAIN_NAME;
        (*count)++;
        label += n;
        if (*label == '\0')
            return ERR_NONE;
    }
}

static bool is_zone(const char *label, size_t n)
{
    for (size_t i = 0; i < sizeof zones / sizeof *zones; i++)
        if (strlen(zones[i]) == n && memcmp(zones[i], label, n) == 0)
            return true;
    return false;
}

/* "name.pt" with name not a zone, or "name.zone.pt". */
static bool registrable(const char *ascii, size_t count)
{
    size_t len = strlen(ascii);
    if ((count != 2 && count != 3) || strcmp(ascii + len - 3, ".pt") != 0)
        return false;
    if (count == 2)
        return !is_zone(ascii, strcspn(ascii, "."));
    const char *second = strchr(ascii, '.') + 1;
    return is_zone(second, strcspn(second, "."));
}

/* The U-label form of ascii, which must encode back to ascii exactly. */
static enum error_code to_unicode(const char *ascii, char *unicode, size_t size)
{
    if (strncmp(ascii, "xn--", 4) != 0 && strstr(ascii, ".xn--") == NULL) {
        strcpy(unicode, ascii);
        return ERR_NONE;
    }
    char *u = NULL, *back = NULL;
    enum error_code why = ERR_DOMAIN_NAME;
    if (idn2_to_unicode_8z8z(ascii, &u, 0) == IDN2_OK &&
        idn2_to_ascii_8z(u, &back, IDN_FLAGS) == IDN2_OK && strcmp(back, ascii) == 0)
        why = strlen(u) < size ? ERR_NONE : ERR_TOO_LONG;
    if (why == ERR_NONE)
        strcpy(unicode, u);
    idn2_free(u);
    idn2_free(back);
    return why;
}

bool pt_domain_parse(const char *input, struct pt_domain *out, enum error_code *why)
{
    out->ascii[0] = out->unicode[0] = '\0';
    char name[PT_DOMAIN_INPUT_MAX + 1];
    size_t len = input != NULL ? strnlen(input, PT_DOMAIN_INPUT_MAX + 1) : 0, count = 0;
    enum error_code e = input == NULL               ? ERR_DOMAIN_NAME
                        : len > PT_DOMAIN_INPUT_MAX ? ERR_TOO_LONG
                                                    : input_refusal(input, len);
    if (e == ERR_NONE) {
        len -= len > 0 && input[len - 1] == '.'; /* the root's dot */
        memcpy(name, input, len);
        name[len] = '\0';
        e = len == 0 ? ERR_DOMAIN_NAME : to_ascii(name, out->ascii);
    }
    if (e == ERR_NONE)
        e = syntax_refusal(out->ascii, &count);
    if (e == ERR_NONE && !registrable(out->ascii, count))
        e = ERR_PT_DOMAIN;
    if (e == ERR_NONE)
        e = to_unicode(out->ascii, out->unicode, sizeof out->unicode);
    if (e != ERR_NONE)
        out->ascii[0] = out->unicode[0] = '\0';
    if (why != NULL)
        *why = e;
    return e == ERR_NONE;
}
