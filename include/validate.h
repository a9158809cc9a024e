/* Syntax and checksum rules for the values applications and registrars carry:
 * Portuguese NIF, EU VAT numbers, ISO 3166-1 alpha-2 countries, postal codes,
 * email addresses, E.164 phones, https websites, registrar handles and
 * human-readable text. Pure: no I/O. Each check is a bool (*)(const char *)
 * so a field table (schema.h) names it with the error code it reports. */
#ifndef PARCERIA_VALIDATE_H
#define PARCERIA_VALIDATE_H

#include "error_code.h"

#include <stdbool.h>

#define VALIDATE_HANDLE_MIN 3
#define VALIDATE_HANDLE_MAX 40

/* Portuguese NIF: nine digits, an assigned leading digit or pair (see
 * validate.c for the list), and the mod-11 check digit. No spaces. */
bool validate_nif(const char *s);

/* A VAT number in the format of country (ISO 3166-1 alpha-2: GR for Greece,
 * whose VIES prefix is EL; GB also covers Northern Ireland's XI numbers).
 * Compact form only (no spaces, dots or dashes), letters in either case, with
 * or without the country's prefix. EU member states and GB: the VIES format
 * (PT: the NIF rules); any other assigned country: 2 to 20 letters or digits. */
bool validate_vat(const char *country, const char *vat);
/* The canonical form of a VAT number: uppercase, prefix removed ("EL094014201"
 * for GR → "094014201"), so one tax number has one spelling. Returns a new
 * string, or NULL when validate_vat would refuse it. */
char *validate_vat_normalize(const char *country, const char *vat);

/* An officially assigned ISO 3166-1 alpha-2 code, uppercase ("PT", "GR",
 * "GB"; not "EL", "UK", "EU" or the user-assigned "XK"). */
bool validate_country(const char *s);

/* A postal code for country: PT is NNNN-NNN with a first digit 1-9; any other
 * country 2 to 12 characters of letters, digits, spaces and hyphens, starting
 * and ending with a letter or digit. A NULL country means "not known yet":
 * the generic rule, which every PT code also meets. */
bool validate_postal_code(const char *country, const char *s);

/* A pragmatic mailbox address: dot-atom local part (ASCII, at most 64), a DNS
 * domain with a dot and an alphabetic or IDN top-level label, at most 254 in
 * all (A-label form). Unicode domains are accepted when libidn2 maps them. */
bool validate_email(const char *s);

/* E.164: '+' then 8 to 15 digits, the first not 0. */
bool validate_phone(const char *s);

/* An https website: "https://" (lowercase), a DNS host name (IDN accepted; no
 * IP literal, no userinfo), an optional port 1-65535, then an optional path,
 * query and fragment of visible ASCII with valid %XX escapes; at most 2048. */
bool validate_website(const char *s);

/* A handle: 3 to 40 of [a-z0-9] in words joined by single hyphens. */
bool validate_handle(const char *s);
/* The handle a trade name suggests: Latin letters folded to ASCII lowercase
 * ("Águas & Companhia, Lda." → "aguas-companhia-lda"), any other run of
 * characters a hyphen, apostrophes dropped; cut at a word boundary to at most
 * 40; shorter than 3 gains "-registrar" (nothing usable: "registrar").
 * Always a valid handle. Returns a new string. */
char *validate_handle_from(const char *trade_name);
/* handle with "-n" appended, the base cut so the whole stays a valid handle
 * of at most 40 (for the store's uniqueness suffix). Returns a new string. */
char *validate_handle_suffixed(const char *handle, unsigned n);

/* Human-readable text (names, addresses, reasons). Refuses C0 and C1
 * controls, DEL and U+2028/U+2029 ("control_character"), bidirectional
 * formatting characters ("bidi_control"), zero-width and invisible characters
 * ("zero_width"), a non-empty value of only spaces ("blank") and invalid
 * UTF-8 ("encoding"): returns that code and sets *normalized to NULL. A good
 * value returns NULL and *normalized gets a new string: trimmed of Unicode
 * spaces at both ends and in Unicode Normalization Form C. */
enum error_code validate_text(const char *in, char **normalized);
/* The same for text of several lines (descriptions, proposals): newlines
 * (U+000A, not CR) are allowed inside; trimming takes them from the ends. */
enum error_code validate_text_lines(const char *in, char **normalized);

/* Field-table hooks. Each refuses a non-string with "type". Country-dependent
 * rules (a VAT number or a PT postal code against its country) need two
 * fields: application_check (application.h) applies them. */
/* A program code: 2 to 40 lowercase letters, digits and dashes, not
 * starting with a dash ("3em1-comercio", "co-branding-2026"). */
bool validate_program_code(const char *s);
/* A year as a path or filter writes it: four digits ("2027"). */
bool validate_year(const char *s);
/* Any country's VAT number shape: 2 to 22 letters and digits. */
bool validate_vat_shape(const char *s);
/* A postal code of some country (the country-specific rule needs the country). */
bool validate_postal_code_any(const char *s);

#endif
