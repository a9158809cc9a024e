/* Data-processing agreements (src/domain/agreement.c) and the gate's place
 * in the eligibility judge (src/domain/eligibility.c), on arbitrary input,
 * held to what their headers promise: a version key or a document hash is
 * valid exactly by its pattern, a document matches only its own hash, and
 * the judge never calls eligible a registrar that a due agreement gates,
 * refusing it with the agreement check (or, before it, accredited) and the
 * status agreement-required. The first byte sets the facts' flags; the rest
 * is the value. */
#include "fuzz.h"

#include "agreement.h"
#include "eligibility.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    util_install_allocators();
    return 0;
}

static bool version_by_hand(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > AGREEMENT_VERSION_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-", s[i]))
            return false;
    return true;
}

static bool sha_by_hand(const char *s)
{
    if (strlen(s) != AGREEMENT_SHA256_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789abcdef", *p))
            return false;
    return true;
}

static void judge(unsigned flags, const char *value)
{
    struct eligibility_facts f = {.registrar_found = true,
                                  .registrar_status =
                                      (flags & 1) ? REGISTRAR_SUSPENDED : REGISTRAR_ACCREDITED,
                                  .accepting = (flags & 2) != 0,
                                  .duplicate = (flags & 4) != 0,
                                  .adding = 1};
    f.agreement.due = (flags & 8) != 0;
    snprintf(f.agreement.version, sizeof f.agreement.version, "%s", value);
    struct eligibility e;
    eligibility_judge(&f, (flags & 16) ? ELIGIBILITY_ALL : ELIGIBILITY_BIT(ELIGIBILITY_AGREEMENT),
                      &e);
    const struct eligibility_check *c = eligibility_refusal(&e);
    if (f.agreement.due && (e.eligible || c == NULL))
        abort();
    if (c != NULL && c->code == ELIGIBILITY_AGREEMENT &&
        (eligibility_status(&f, c) != ST_AGREEMENT_REQUIRED || !f.agreement.due ||
         strcmp(c->subject, f.agreement.version) != 0))
        abort();
    if (f.agreement.due && c->code != ELIGIBILITY_AGREEMENT && c->code != ELIGIBILITY_ACCREDITED)
        abort(); /* judged right after accredited */
    char message[200];
    eligibility_message(ELIGIBILITY_AGREEMENT, ELIGIBILITY_FOR_EVENT, value, false, true, message,
                        sizeof message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = fuzz_string(data + 1, size - 1);
    if (agreement_version_valid(s) != version_by_hand(s) ||
        agreement_sha256_valid(s) != sha_by_hand(s))
        abort();
    struct agreement_row a = {0};
    snprintf(a.document_sha256, sizeof a.document_sha256, "%s",
             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    if (agreement_document_matches(&a, s) != (strcmp(s, a.document_sha256) == 0))
        abort();
    snprintf(a.document_sha256, sizeof a.document_sha256, "%.64s", s);
    if (agreement_sha256_valid(a.document_sha256) &&
        !agreement_document_matches(&a, a.document_sha256))
        abort();
    judge(data[0], s);
    free(s);
    return 0;
}
