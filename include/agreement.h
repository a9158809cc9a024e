/* Data-processing agreements (issue 16, H1): a version's shape, and what
 * the gate knows of a registrar (the version it must accept, if any). An
 * agreement never changes once created: a change is a new version. Pure. */
#ifndef PARCERIA_AGREEMENT_H
#define PARCERIA_AGREEMENT_H

#include <stdbool.h>

#define AGREEMENT_VERSION_MAX 20
#define AGREEMENT_SHA256_LEN 64

/* One state, no action: the kit's machine for a row that never moves. */
enum agreement_state {
    AGREEMENT_PUBLISHED,
};
#define AGREEMENT_STATE_COUNT 1

struct machine;
extern const struct machine agreement_machine;

struct agreement_row {
    char version[AGREEMENT_VERSION_MAX + 1];
    char title[804]; /* 200 characters of up to 4 bytes */
    char document_url[2049];
    char document_sha256[AGREEMENT_SHA256_LEN + 1];
    char effective_at[32];
    char accept_by[32];
    char created_at[32];
};

/* A registrar's acceptance of one version: the evidence. */
struct agreement_acceptance {
    char version[AGREEMENT_VERSION_MAX + 1];
    char registrar_id[37];
    char accepted_at[40];
    char accepted_by[256];
    char address_hash[80];
    char document_sha256[AGREEMENT_SHA256_LEN + 1];
};

/* The version a registrar must accept before its program actions go on:
 * due when one is past its accept_by and neither it nor a later version is
 * accepted. */
struct agreement_due {
    bool due;
    char version[AGREEMENT_VERSION_MAX + 1];
    char accept_by[32];
};

/* ^[0-9A-Za-z._-]{1,20}$ */
bool agreement_version_valid(const char *s);
/* 64 lowercase hexadecimal digits. */
bool agreement_sha256_valid(const char *s);
/* Whether accepting document_sha256 is accepting the version's very
 * document (what the registrar was shown). */
bool agreement_document_matches(const struct agreement_row *a, const char *document_sha256);
/* accept_by is after effective_at (both RFC 3339 UTC). */
bool agreement_dates_valid(const struct agreement_row *a);

#endif
