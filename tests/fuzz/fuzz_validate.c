/* The domain's value rules (src/domain/validate.c, voucher_code.c,
 * pt_domain.c) and util_valid_utf8 on arbitrary strings, holding them to what
 * their headers promise: a handle made from any trade name is a valid handle,
 * a VAT number normalises exactly when it validates and to its own canonical
 * form, and so do voucher codes and .pt names. The first byte picks the
 * country for the rules that need one; the rest is the value. */
#include "fuzz.h"

#include "pt_domain.h"
#include "validate.h"
#include "voucher_code.h"

#include <sodium.h>
#include <stdlib.h>

/* EU formats with and without a VIES prefix of their own, a non-EU country,
 * a refused code, and "not known yet". */
static const char *const countries[] = {"PT", "GR", "GB", "FR", "ES", "IE", "NL",
                                        "AT", "US", "BR", "EL", "pt", NULL};
#define NCOUNTRIES (sizeof countries / sizeof countries[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    util_install_allocators();
    return sodium_init() < 0;
}

static void handles(const char *s, unsigned n)
{
    char *handle = validate_handle_from(s);
    if (!validate_handle(handle))
        abort();
    char *suffixed = validate_handle_suffixed(handle, n);
    if (!validate_handle(suffixed))
        abort();
    free(suffixed);
    free(handle);
}

/* One tax number has one spelling: the canonical form is its own. */
/* Text's normal form is a fixed point: normalizing it again changes nothing. */
static void text(const char *s)
{
    char *once = NULL, *twice = NULL;
    if (validate_text(s, &once) == ERR_NONE &&
        (validate_text(once, &twice) != ERR_NONE || strcmp(once, twice) != 0))
        abort();
    free(twice);
    free(once);
}

/* The same for text of several lines. */
static void lines(const char *s)
{
    char *once = NULL, *twice = NULL;
    if (validate_text_lines(s, &once) == ERR_NONE &&
        (validate_text_lines(once, &twice) != ERR_NONE || strcmp(once, twice) != 0))
        abort();
    free(twice);
    free(once);
}

/* A code read as typed has one canonical form, which reads as itself, and
 * its written form reads back to it. */
static void voucher_code(const char *s)
{
    char once[VOUCHER_CODE_LEN + 1], twice[VOUCHER_CODE_LEN + 1], text[VOUCHER_CODE_TEXT_LEN + 1];
    if (!voucher_code_normalize(s, once))
        return;
    voucher_code_format(once, text);
    if (!voucher_code_normalize(once, twice) || strcmp(once, twice) != 0 ||
        !voucher_code_normalize(text, twice) || strcmp(once, twice) != 0)
        abort();
}

/* A .pt name parses again from either of its forms, to the same A-labels. */
static void pt_domain(const char *s)
{
    struct pt_domain once, again;
    if (!pt_domain_parse(s, &once, NULL))
        return;
    if (!pt_domain_parse(once.ascii, &again, NULL) || strcmp(once.ascii, again.ascii) != 0 ||
        !pt_domain_parse(once.unicode, &again, NULL) || strcmp(once.ascii, again.ascii) != 0)
        abort();
}

static void vat(const char *country, const char *s)
{
    char *once = validate_vat_normalize(country, s);
    char *twice = once ? validate_vat_normalize(country, once) : NULL;
    if ((once != NULL) != validate_vat(country, s) || (once && (!twice || strcmp(once, twice))))
        abort();
    free(twice);
    free(once);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)util_valid_utf8((const char *)data, size);
    if (size == 0)
        return 0;
    const char *country = countries[data[0] % NCOUNTRIES];
    char *s = fuzz_string(data + 1, size - 1);
    (void)validate_nif(s);
    (void)validate_country(s);
    if (validate_postal_code("PT", s) && !validate_postal_code(NULL, s))
        abort(); /* the generic rule admits every PT code */
    (void)validate_postal_code(country, s);
    (void)validate_email(s);
    (void)validate_phone(s);
    (void)validate_website(s);
    (void)validate_handle(s);
    vat(country, s);
    text(s);
    lines(s);
    voucher_code(s);
    pt_domain(s);
    handles(s, data[0] * 1000003u);
    free(s);
    return 0;
}
