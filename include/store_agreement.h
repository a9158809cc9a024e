/* Data-processing agreements and their acceptances: all their SQL, no rules. */
#ifndef PARCERIA_STORE_AGREEMENT_H
#define PARCERIA_STORE_AGREEMENT_H

#include "agreement.h"
#include "db.h"
#include "page.h"

#include <jansson.h>
#include <stdbool.h>

/* The list's sort keys (effective_at first: the page's order). */
#define STORE_AGREEMENT_SORTS 2
extern const struct page_sort store_agreement_sorts[STORE_AGREEMENT_SORTS];

/* Reads one version; lock takes FOR SHARE (an acceptance reads the document
 * it accepts). ST_NOT_FOUND when absent. */
enum status store_agreement_get(PGconn *conn, const char *version, bool lock,
                                struct agreement_row *out) WARN_UNUSED;
/* Inserts a; out gets the stored row. ST_CONFLICT when the version exists. */
enum status store_agreement_insert(PGconn *conn, const struct agreement_row *a,
                                   struct agreement_row *out) WARN_UNUSED;
/* A page of versions (rows: struct agreement_row). */
enum status store_agreement_list(PGconn *conn, const struct page_query *q,
                                 struct page_result *out) WARN_UNUSED;

/* Records the acceptance in (accepted_at: now) unless the registrar accepted
 * that version already; out gets the stored acceptance and *created whether
 * this call wrote it. */
enum status store_agreement_accept(PGconn *conn, const struct agreement_acceptance *in,
                                   struct agreement_acceptance *out, bool *created) WARN_UNUSED;

/* The version the registrar must accept: binding true asks for one past its
 * accept_by (the gate), false for the newest already effective (what to
 * accept next); due false when every such version is accepted, or a later
 * one is. */
enum status store_agreement_due(PGconn *conn, const char *registrar_id, bool binding,
                                struct agreement_due *out) WARN_UNUSED;
/* Every version, oldest effective first, each as {"agreement": {...},
 * "acceptance": {...} or null} for the registrar (a new reference). */
enum status store_agreement_standing(PGconn *conn, const char *registrar_id,
                                     json_t **out) WARN_UNUSED;

#endif
