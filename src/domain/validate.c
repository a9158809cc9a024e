/* The value rules of validate.h: tax numbers, countries, postal codes, email
 * addresses, phones, websites, handles and human-readable text. Character
 * classes are ASCII and locale-free on purpose; Unicode host names go through
 * libidn2 (IDNA2008 with TR46 mapping), and its ASCII result is then held to
 * the same DNS rules; text is normalized with libunistring (NFC). */
#include "validate.h"

#include "util.h"

#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uninorm.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alpha(char c)
{
    return is_upper(c) || (c >= 'a' && c <= 'z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

static char to_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static char to_lower(char c)
{
    return is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

static bool is_hex(char c)
{
    return is_digit(c) || (to_lower(c) >= 'a' && to_lower(c) <= 'f');
}

/* --- Patterns ------------------------------------------------------------
 * A small shape language for fixed formats. A pattern is a sequence of
 * classes, each optionally followed by a repeat count: d digit, n digit 1-9,
 * l letter (uppercase), x letter or digit, o 0 or 1, w A-W, i A-I or W,
 * p letter, '+' or '*'; any other character stands for itself. '|' separates
 * alternatives. */

static bool class_has(char cls, char c)
{
    switch (cls) {
    case 'd':
        return is_digit(c);
    case 'n':
        return c >= '1' && c <= '9';
    case 'l':
        return is_upper(c);
    case 'x':
        return is_upper(c) || is_digit(c);
    case 'o':
        return c == '0' || c == '1';
    case 'w':
        return c >= 'A' && c <= 'W';
    case 'i':
        return (c >= 'A' && c <= 'I') || c == 'W';
    case 'p':
        return is_upper(c) || c == '+' || c == '*';
    default:
        return c == cls;
    }
}

/* Matches all of s against the one alternative [p, end). */
static bool pattern_match(const char *p, const char *end, const char *s)
{
    while (p < end) {
        char cls = *p++;
        unsigned n = 0;
        while (p < end && is_digit(*p))
            n = n * 10 + (unsigned)(*p++ - '0');
        for (n = n ? n : 1; n > 0; n--, s++)
            if (*s == '\0' || !class_has(cls, *s))
                return false;
    }
    return *s == '\0';
}

static bool patterns_match(const char *patterns, const char *s)
{
    for (;;) {
        const char *bar = strchr(patterns, '|');
        const char *end = bar ? bar : patterns + strlen(patterns);
        if (pattern_match(patterns, end, s))
            return true;
        if (bar == NULL)
            return false;
        patterns = bar + 1;
    }
}

/* --- NIF -----------------------------------------------------------------
 * Leading digits the Autoridade Tributária assigns:
 *   1, 2, 3    individuals (3 since the 2s ran out)
 *   45         non-resident individuals taxed at source only
 *   5          companies and other legal persons
 *   6          public administration bodies
 *   70, 74, 75 undivided inheritances
 *   71         non-resident legal persons
 *   72         investment funds
 *   77         numbers the tax office assigns ex officio
 *   78         ex officio, non-residents under the VAT refund scheme
 *   79         the Expo 98 exceptional scheme
 *   90, 91     condominiums, irregular companies, undivided inheritances
 *   98         non-residents without a permanent establishment
 *   99         civil societies without legal personality
 * Refused: 0, other 4x, 73, 76, other 9x, and 8 — the old sole-trader numbers,
 * withdrawn (sole traders use their personal NIF), so none names a taxpayer
 * today. */
static bool nif_prefix_ok(const char *s)
{
    switch (s[0]) {
    case '1':
    case '2':
    case '3':
    case '5':
    case '6':
        return true;
    case '4':
        return s[1] == '5';
    case '7':
        return strchr("01245789", s[1]) != NULL;
    case '9':
        return strchr("0189", s[1]) != NULL;
    default:
        return false;
    }
}

bool validate_nif(const char *s)
{
    if (s == NULL || !patterns_match("d9", s) || !nif_prefix_ok(s))
        return false;
    /* Weights 9..2 over the first eight digits; 11 - sum mod 11, where 10 and
     * 11 become 0. */
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (s[i] - '0') * (9 - i);
    int check = 11 - sum % 11;
    return s[8] - '0' == (check >= 10 ? 0 : check);
}

/* --- Countries -----------------------------------------------------------
 * ISO 3166-1 alpha-2, the 249 officially assigned codes (as of 2023; the same
 * list as Debian's iso-codes). Reserved and user-assigned codes (EU, UK, EL,
 * XK, XI…) are not countries here. */
static const char countries[] = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
                                "BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
                                "CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
                                "DEDJDKDMDODZ"
                                "ECEEEGEHERESET"
                                "FIFJFKFMFOFR"
                                "GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
                                "HKHMHNHRHTHU"
                                "IDIEILIMINIOIQIRISIT"
                                "JEJMJOJP"
                                "KEKGKHKIKMKNKPKRKWKYKZ"
                                "LALBLCLILKLRLSLTLULVLY"
                                "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
                                "NANCNENFNGNINLNONPNRNUNZ"
                                "OM"
                                "PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
                                "QA"
                                "RERORSRURW"
                                "SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
                                "TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
                                "UAUGUMUSUYUZ"
                                "VAVCVEVGVIVNVU"
                                "WFWS"
                                "YEYT"
                                "ZAZMZW";

bool validate_country(const char *s)
{
    if (s == NULL || !is_upper(s[0]) || !is_upper(s[1]) || s[2] != '\0')
        return false;
    for (const char *p = countries; *p; p += 2)
        if (p[0] == s[0] && p[1] == s[1])
            return true;
    return false;
}

/* --- VAT numbers ---------------------------------------------------------
 * The formats VIES publishes, after the prefix (no checksums but PT's: VIES
 * itself is the authority on whether a number exists). */
struct vat_format {
    char country[3];      /* ISO 3166-1 */
    char prefix[3];       /* VIES prefix, when it differs: EL, XI */
    const char *patterns; /* NULL: the NIF rules */
};

static const struct vat_format vat_formats[] = {
    {"AT", "AT", "Ud8"},
    {"BE", "BE", "od9"},
    {"BG", "BG", "d9|d10"},
    {"CY", "CY", "d8l"},
    {"CZ", "CZ", "d8|d9|d10"},
    {"DE", "DE", "d9"},
    {"DK", "DK", "d8"},
    {"EE", "EE", "d9"},
    {"ES", "ES", "ld7x|xd7l"},
    {"FI", "FI", "d8"},
    {"FR", "FR", "x2d9"},
    {"GB", "XI", "d9|d12|GDd3|HAd3"},
    {"GR", "EL", "d9"},
    {"HR", "HR", "d11"},
    {"HU", "HU", "d8"},
    {"IE", "IE", "d7w|d7wi|dpd5w"},
    {"IT", "IT", "d11"},
    {"LT", "LT", "d9|d12"},
    {"LU", "LU", "d8"},
    {"LV", "LV", "d11"},
    {"MT", "MT", "d8"},
    {"NL", "NL", "d9Bd2"},
    {"PL", "PL", "d10"},
    {"PT", "PT", NULL},
    {"RO", "RO", "d2|d3|d4|d5|d6|d7|d8|d9|d10"},
    {"SE", "SE", "d12"},
    {"SI", "SI", "d8"},
    {"SK", "SK", "d10"},
};

static const struct vat_format *vat_format_of(const char *country)
{
    for (size_t i = 0; i < sizeof vat_formats / sizeof vat_formats[0]; i++)
        if (strcmp(vat_formats[i].country, country) == 0)
            return &vat_formats[i];
    return NULL;
}

/* body is uppercase. Outside the EU (and GB), 2 to 20 letters or digits. */
static bool vat_body_ok(const struct vat_format *f, const char *body)
{
    if (f == NULL) {
        size_t len = strlen(body);
        for (size_t i = 0; i < len; i++)
            if (!class_has('x', body[i]))
                return false;
        return len >= 2 && len <= 20;
    }
    return f->patterns ? patterns_match(f->patterns, body) : validate_nif(body);
}

/* A leading prefix (the ISO code or the VIES one) is taken as a prefix when
 * what follows it is a valid number; only then is the whole tried as the
 * number (an FR number may itself start with two letters). Countries outside
 * the VIES list have no prefix convention: the number is taken as given. */
char *validate_vat_normalize(const char *country, const char *vat)
{
    if (!validate_country(country) || vat == NULL || strlen(vat) < 2 || strlen(vat) > 24)
        return NULL;
    char *up = xstrdup(vat);
    for (char *p = up; *p; p++)
        *p = to_upper(*p);
    const struct vat_format *f = vat_format_of(country);
    const char *body = NULL;
    if (f != NULL && (strncmp(up, f->country, 2) == 0 || strncmp(up, f->prefix, 2) == 0) &&
        vat_body_ok(f, up + 2))
        body = up + 2;
    else if (vat_body_ok(f, up))
        body = up;
    char *out = body ? xstrdup(body) : NULL;
    free(up);
    return out;
}

bool validate_vat(const char *country, const char *vat)
{
    char *body = validate_vat_normalize(country, vat);
    free(body);
    return body != NULL;
}

/* --- Postal codes ---------------------------------------------------------- */

bool validate_postal_code(const char *country, const char *s)
{
    if (s == NULL)
        return false;
    if (country != NULL && strcmp(country, "PT") == 0)
        return patterns_match("nd3-d3", s);
    size_t len = strlen(s);
    if (len < 2 || len > 12 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(s[i]) && s[i] != ' ' && s[i] != '-')
            return false;
    return true;
}

/* --- Human-readable text ------------------------------------------------- */

static size_t utf8_next(const unsigned char *s, unsigned *cp);

/* Why a code point has no place in a name, or NULL: C0 and C1 controls, DEL
 * and the line and paragraph separators (no field takes several lines);
 * bidirectional formatting (embeddings, overrides, isolates, LRM, RLM, ALM),
 * which can make a name read differently from what it is; zero-width and
 * invisible characters, which make two names look the same. */
static enum error_code text_refusal(unsigned cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
        return ERR_CONTROL_CHARACTER;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
        cp == 0x200f || cp == 0x061c)
        return ERR_BIDI_CONTROL;
    if ((cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff ||
        cp == 0x180e)
        return ERR_ZERO_WIDTH;
    return ERR_NONE;
}

/* Unicode's space separators (Zs): what trimming removes at either end. */
static bool is_space_cp(unsigned cp)
{
    return cp == 0x20 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
           cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* validate_text, with newlines (U+000A) allowed inside when lines. */
static enum error_code text(const char *in, bool lines, char **normalized)
{
    *normalized = NULL;
    if (in == NULL || !util_valid_utf8(in, strlen(in)))
        return ERR_ENCODING;
    const unsigned char *p = (const unsigned char *)in, *start = NULL, *end = p;
    while (*p) {
        unsigned cp;
        size_t n = utf8_next(p, &cp);
        enum error_code why = lines && cp == '\n' ? ERR_NONE : text_refusal(cp);
        if (why != ERR_NONE)
            return why;
        if (!is_space_cp(cp) && !(lines && cp == '\n')) {
            start = start ? start : p;
            end = p + n;
        }
        p += n;
    }
    if (start == NULL)
        start = end = (const unsigned char *)in;
    if (start == end && *in != '\0')
        return ERR_BLANK;
    size_t len = 0;
    uint8_t *nfc = u8_normalize(UNINORM_NFC, start, (size_t)(end - start), NULL, &len);
    if (nfc == NULL && start != end)
        abort(); /* only ENOMEM: the input is valid UTF-8 */
    *normalized = xmalloc(len + 1);
    if (len > 0)
        memcpy(*normalized, nfc, len);
    (*normalized)[len] = '\0';
    free(nfc);
    return ERR_NONE;
}

enum error_code validate_text(const char *in, char **normalized)
{
    return text(in, false, normalized);
}

enum error_code validate_text_lines(const char *in, char **normalized)
{
    return text(in, true, normalized);
}

/* --- Host names, email, website -------------------------------------------- */

static bool label_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-')
            return false;
    return true;
}

/* An ASCII DNS host name: at least two labels of 1-63 letters, digits and
 * inner hyphens, at most 253 in all; the last label alphabetic (2 or more)
 * or an A-label, so no IP address and no single-label name passes. */
static bool dns_name_ok(const char *h)
{
    size_t len = strlen(h), labels = 0;
    if (len == 0 || len > 253)
        return false;
    const char *label = h;
    for (;;) {
        const char *dot = strchr(label, '.');
        size_t n = dot ? (size_t)(dot - label) : strlen(label);
        if (!label_ok(label, n))
            return false;
        labels++;
        if (dot == NULL)
            break;
        label = dot + 1;
    }
    if (labels < 2)
        return false;
    if (strncasecmp(label, "xn--", 4) == 0)
        return true;
    for (const char *p = label; *p; p++)
        if (!is_alpha(*p))
            return false;
    return strlen(label) >= 2;
}

/* libidn2's mapping silently drops zero-width characters and maps odd spaces:
 * a host that needs either is refused rather than quietly read as another. */
static bool host_chars_ok(const char *host)
{
    for (const unsigned char *p = (const unsigned char *)host; *p;) {
        unsigned cp;
        p += utf8_next(p, &cp);
        if (text_refusal(cp) != ERR_NONE || is_space_cp(cp))
            return false;
    }
    return true;
}

/* The host's ASCII form: as given when plain ASCII; through libidn2 when it
 * holds Unicode or an A-label (which must then decode). Not STD3 mode: that
 * silently drops bad characters instead of refusing them. Returns a new
 * string, or NULL when libidn2 refuses the name. */
static char *host_to_ascii(const char *host, size_t len)
{
    char *in = xstrndup(host, len);
    bool plain = strcasestr(in, "xn--") == NULL;
    for (size_t i = 0; i < len && plain; i++)
        plain = (unsigned char)in[i] < 0x80;
    if (plain)
        return in;
    uint8_t *ascii = NULL;
    char *out = NULL;
    if (util_valid_utf8(in, len) && host_chars_ok(in) &&
        idn2_lookup_u8((const uint8_t *)in, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) ==
            IDN2_OK)
        out = xstrdup((const char *)ascii);
    idn2_free(ascii);
    free(in);
    return out;
}

static bool host_ok(const char *host, size_t len, size_t *ascii_len)
{
    char *ascii = host_to_ascii(host, len);
    bool ok = ascii != NULL && dns_name_ok(ascii);
    if (ok && ascii_len != NULL)
        *ascii_len = strlen(ascii);
    free(ascii);
    return ok;
}

static bool atext(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 5322 dot-atom: atext runs joined by single dots. No quoted strings. */
static bool local_part_ok(const char *s, size_t len)
{
    if (len < 1 || len > 64 || s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' ? s[i - 1] == '.' : !atext(s[i]))
            return false;
    }
    return true;
}

bool validate_email(const char *s)
{
    if (s == NULL || strlen(s) > 1024)
        return false;
    const char *at = strchr(s, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL || !local_part_ok(s, (size_t)(at - s)))
        return false;
    size_t domain_len = 0;
    if (!host_ok(at + 1, strlen(at + 1), &domain_len))
        return false;
    return (size_t)(at - s) + 1 + domain_len <= 254;
}

bool validate_phone(const char *s)
{
    if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    size_t n = strlen(s + 1);
    for (size_t i = 1; i <= n; i++)
        if (!is_digit(s[i]))
            return false;
    return n >= 8 && n <= 15;
}

static bool port_ok(const char *p, size_t n)
{
    unsigned long v = 0;
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return false;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/* Path, query and fragment: visible ASCII but the characters RFC 3986 never
 * allows unescaped, and '%' only as a %XX escape. */
static bool url_tail_ok(const char *p)
{
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) != NULL)
            return false;
        if (c == '%' && !(is_hex(p[1]) && is_hex(p[2])))
            return false;
    }
    return true;
}

bool validate_website(const char *s)
{
    static const char scheme[] = "https://";
    if (s == NULL || strlen(s) > 2048 || strncmp(s, scheme, sizeof scheme - 1) != 0)
        return false;
    const char *authority = s + sizeof scheme - 1;
    size_t n = strcspn(authority, "/?#");
    if (memchr(authority, '@', n) != NULL) /* userinfo */
        return false;
    const char *colon = memchr(authority, ':', n);
    size_t host_len = colon ? (size_t)(colon - authority) : n;
    if (colon != NULL && !port_ok(colon + 1, n - host_len - 1))
        return false;
    return host_ok(authority, host_len, NULL) && url_tail_ok(authority + n);
}

/* --- Handles ---------------------------------------------------------------- */

bool validate_handle(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len < VALIDATE_HANDLE_MIN || len > VALIDATE_HANDLE_MAX || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        bool ok =
            (s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) || (s[i] == '-' && s[i - 1] != '-');
        if (!ok)
            return false;
    }
    return true;
}

/* Decodes one UTF-8 sequence at s into *cp and returns its length; a
 * malformed or overlong sequence is one byte standing for U+FFFD. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
    static const unsigned least[] = {0, 0x80, 0x800, 0x10000};
    size_t n = (s[0] & 0xe0) == 0xc0   ? 1
               : (s[0] & 0xf0) == 0xe0 ? 2
               : (s[0] & 0xf8) == 0xf0 ? 3
                                       : 0;
    *cp = 0xfffd;
    if (n == 0) {
        if (s[0] < 0x80)
            *cp = s[0];
        return 1;
    }
    unsigned v = s[0] & (0x7fu >> (n + 1));
    for (size_t k = 1; k <= n; k++) {
        if ((s[k] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 1;
        v = (v << 6) | (s[k] & 0x3fu);
    }
    if (v < least[n] || v > 0x10ffff)
        return 1;
    *cp = v;
    return n + 1;
}

/* U+00C0..U+00FF and U+0100..U+017F folded to one lowercase ASCII letter; ' '
 * for a symbol; an uppercase letter for a two-letter fold (see fold). */
static const char latin1[] =
    "aaaaaaAceeeeiiiidnooooo ouuuuyTS" /* ÀÁÂÃÄÅ Æ Ç ÈÉÊË ÌÍÎÏ Ð Ñ ÒÓÔÕÖ × Ø ÙÚÛÜ Ý Þ ß */
    "aaaaaaAceeeeiiiidnooooo ouuuuyTy" /* àáâãäå æ ç èéêë ìíîï ð ñ òóôõö ÷ ø ùúûü ý þ ÿ */;
static const char latin_ext_a[] = "aaaaaa"       /* Ā ā Ă ă Ą ą */
                                  "cccccccc"     /* Ć ć Ĉ ĉ Ċ ċ Č č */
                                  "dddd"         /* Ď ď Đ đ */
                                  "eeeeeeeeee"   /* Ē ē Ĕ ĕ Ė ė Ę ę Ě ě */
                                  "gggggggg"     /* Ĝ ĝ Ğ ğ Ġ ġ Ģ ģ */
                                  "hhhh"         /* Ĥ ĥ Ħ ħ */
                                  "iiiiiiiiii"   /* Ĩ ĩ Ī ī Ĭ ĭ Į į İ ı */
                                  "II"           /* Ĳ ĳ */
                                  "jj"           /* Ĵ ĵ */
                                  "kkk"          /* Ķ ķ ĸ */
                                  "llllllllll"   /* Ĺ ĺ Ļ ļ Ľ ľ Ŀ ŀ Ł ł */
                                  "nnnnnnnnn"    /* Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ */
                                  "oooooo"       /* Ō ō Ŏ ŏ Ő ő */
                                  "OO"           /* Œ œ */
                                  "rrrrrr"       /* Ŕ ŕ Ŗ ŗ Ř ř */
                                  "ssssssss"     /* Ś ś Ŝ ŝ Ş ş Š š */
                                  "tttttt"       /* Ţ ţ Ť ť Ŧ ŧ */
                                  "uuuuuuuuuuuu" /* Ũ ũ Ū ū Ŭ ŭ Ů ů Ű ű Ų ų */
                                  "ww"           /* Ŵ ŵ */
                                  "yyy"          /* Ŷ ŷ Ÿ */
                                  "zzzzzz"       /* Ź ź Ż ż Ž ž */
                                  "s" /* ſ */;
_Static_assert(sizeof latin1 == 0x40 + 1, "one letter per code point of U+00C0..U+00FF");
_Static_assert(sizeof latin_ext_a == 0x80 + 1, "one letter per code point of U+0100..U+017F");

/* What one code point contributes to a handle: writes up to two letters to
 * out and returns how many; 0 for a word separator, -1 for nothing at all
 * (apostrophes: "Joe's" is one word). */
static int fold(unsigned cp, char out[2])
{
    static const char *const pairs[] = {"Aae", "Tth", "Sss", "Ooe", "Iij"};
    char c = '\0';
    if (cp == '\'' || cp == 0x2019)
        return -1;
    if (cp < 0x80 && is_alnum((char)cp))
        c = to_lower((char)cp);
    else if (cp >= 0xc0 && cp <= 0xff)
        c = latin1[cp - 0xc0];
    else if (cp >= 0x100 && cp <= 0x17f)
        c = latin_ext_a[cp - 0x100];
    if (c == '\0' || c == ' ')
        return 0;
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i][0] == c) {
            memcpy(out, pairs[i] + 1, 2);
            return 2;
        }
    out[0] = c;
    return 1;
}

/* Length to keep of a slug longer than the maximum: the last word boundary
 * that leaves at least the minimum, else a hard cut (which cannot end in a
 * hyphen: a hyphen there would have been such a boundary). */
static size_t cut_at_word(const char *slug)
{
    const char *dash = memrchr(slug, '-', VALIDATE_HANDLE_MAX + 1);
    if (dash != NULL && dash - slug >= VALIDATE_HANDLE_MIN)
        return (size_t)(dash - slug);
    return VALIDATE_HANDLE_MAX;
}

char *validate_handle_from(const char *trade_name)
{
    char slug[VALIDATE_HANDLE_MAX + 8];
    size_t n = 0;
    bool gap = false;
    const unsigned char *p = (const unsigned char *)(trade_name ? trade_name : "");
    while (*p && n <= VALIDATE_HANDLE_MAX) {
        unsigned cp;
        p += utf8_next(p, &cp);
        char letters[2];
        int k = fold(cp, letters);
        if (k == 0)
            gap = n > 0;
        if (k <= 0)
            continue;
        if (gap)
            slug[n++] = '-';
        gap = false;
        memcpy(slug + n, letters, (size_t)k);
        n += (size_t)k;
    }
    slug[n] = '\0';
    if (n > VALIDATE_HANDLE_MAX)
        slug[cut_at_word(slug)] = '\0';
    if (n == 0)
        return xstrdup("registrar");
    if (n < VALIDATE_HANDLE_MIN)
        return xasprintf("%s-registrar", slug);
    return xstrdup(slug);
}

char *validate_handle_suffixed(const char *handle, unsigned n)
{
    char suffix[16];
    size_t slen = (size_t)snprintf(suffix, sizeof suffix, "-%u", n);
    size_t keep = strlen(handle);
    if (keep + slen > VALIDATE_HANDLE_MAX)
        keep = VALIDATE_HANDLE_MAX - slen;
    while (keep > 0 && handle[keep - 1] == '-')
        keep--;
    return xasprintf("%.*s%s", (int)keep, handle, suffix);
}

/* --- Field-table hooks ---------------------------------------------------- */

/* A JSON string with no embedded NUL, or NULL. */
bool validate_vat_shape(const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++)
        if (!class_has('p', to_upper(s[i])) && !is_digit(s[i]))
            return false;
    return len >= 2 && len <= 22;
}

bool validate_postal_code_any(const char *s)
{
    return validate_postal_code(NULL, s);
}

bool validate_year(const char *s)
{
    return s != NULL && strlen(s) == 4 && strspn(s, "0123456789") == 4;
}

bool validate_program_code(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && n <= 40 && s[0] != '-' &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}
