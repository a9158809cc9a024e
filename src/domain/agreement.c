/* Data-processing agreements: the shapes of a version key and a document
 * hash, and the evidence rule of an acceptance. Pure. */
#include "agreement.h"

#include "machine.h"
#include "program.h"

#include <string.h>

static const char *const states[AGREEMENT_STATE_COUNT] = {[AGREEMENT_PUBLISHED] = "published"};

const struct machine agreement_machine = {states, AGREEMENT_STATE_COUNT, NULL, 0};

bool agreement_version_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > AGREEMENT_VERSION_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool agreement_sha256_valid(const char *s)
{
    if (s == NULL || strlen(s) != AGREEMENT_SHA256_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

bool agreement_document_matches(const struct agreement_row *a, const char *document_sha256)
{
    return document_sha256 != NULL && agreement_sha256_valid(document_sha256) &&
           strcmp(a->document_sha256, document_sha256) == 0;
}

bool agreement_dates_valid(const struct agreement_row *a)
{
    return program_time_before(a->effective_at, a->accept_by);
}
