/* Registrable .pt domain names, as a voucher is redeemed for (DOMAIN.md
 * section 4): the syntax of RFC 1035 and IDNA2008 (RFC 5891, through
 * libidn2 with UTS #46 non-transitional mapping) and the shape of a name
 * DNS.pt registers. Pure: no I/O. Registry policy beyond syntax (reserved
 * or taken names, which zones still take new names) is DNS.pt's, not ours. */
#ifndef PARCERIA_PT_DOMAIN_H
#define PARCERIA_PT_DOMAIN_H

#include "error_code.h"

#include <stdbool.h>

#define PT_DOMAIN_NAME_MAX 253   /* octets of the whole name, A-label form, no final dot */
#define PT_DOMAIN_LABEL_MAX 63   /* octets of one label, A-label form */
#define PT_DOMAIN_INPUT_MAX 1015 /* bytes of input read: longer is "too_long" unread */

/* The second-level zones of .pt under which one more label is registrable,
 * as DNS.pt and the Public Suffix List give them: com.pt, edu.pt,
 * gov.pt, int.pt, net.pt, nome.pt, org.pt, publ.pt. */
#define PT_DOMAIN_ZONES                                                                            \
    {                                                                                              \
        "com", "edu", "gov", "int", "net", "nome", "org", "publ"                                   \
    }

struct pt_domain {
    char ascii[PT_DOMAIN_NAME_MAX + 1];         /* A-labels, lower case: "xn--po-sia.com.pt" */
    char unicode[(PT_DOMAIN_NAME_MAX + 1) * 4]; /* U-labels, NFC, lower case: "pão.com.pt" */
};

/* Parses input as a registrable .pt name: one label under .pt
 * ("exemplo.pt") or one label under a zone of PT_DOMAIN_ZONES
 * ("loja.com.pt"). Case-insensitive. Unicode is mapped as UTS #46 does
 * (case folded, NFC, full-width forms narrowed, ideographic full stops read
 * as dots) and converted with libidn2; an A-label ("xn--…") given as such
 * must decode to a valid U-label that encodes back to itself. One final dot
 * is dropped. White space anywhere is refused, not trimmed (a name holds
 * none). Each label 1-63 octets of letters, digits and hyphens in A-label
 * form, no hyphen at either end, "--" in positions 3-4 only in an A-label;
 * the whole at most 253 octets.
 *
 * True with out filled and *why ERR_NONE; false with both forms of out ""
 * and *why (when why is not NULL) saying which rule failed:
 *   ERR_TOO_LONG             a label over 63 octets or a name over 253 (A-label
 *                            form), or input over PT_DOMAIN_INPUT_MAX bytes
 *   ERR_ENCODING             invalid UTF-8
 *   ERR_CONTROL_CHARACTER, ERR_BIDI_CONTROL, ERR_ZERO_WIDTH
 *                            invisible characters, refused rather than
 *                            silently dropped by the mapping (so is a soft
 *                            hyphen, as ERR_ZERO_WIDTH)
 *   ERR_DOMAIN_NAME          any other syntax: empty label, white space,
 *                            underscore or other character, hyphen rules, an
 *                            A-label that does not round-trip, a name libidn2
 *                            refuses, NULL
 *   ERR_PT_DOMAIN            a valid name that is not registrable under .pt:
 *                            another TLD (an IP address among them), "pt"
 *                            alone, a zone itself ("com.pt"), a sub-domain
 *                            ("www.exemplo.pt", "a.b.com.pt"). */
bool pt_domain_parse(const char *input, struct pt_domain *out, enum error_code *why);

#endif
