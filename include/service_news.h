/* Registrars' news: the kind whose actions (publish, reject,
 * request-changes, resubmit, archive) and edits the generic runner takes,
 * submitting one, and the public reads (list, feed, their version). */
#ifndef PARCERIA_SERVICE_NEWS_H
#define PARCERIA_SERVICE_NEWS_H

#include "news.h"
#include "service.h"
#include "store_state.h"

extern const struct service_kind service_news_kind;
/* The same rows for public reads: no owner, so a registrar reads any
 * published item; its list is the published ones (store_news_public_list). */
extern const struct service_kind service_news_public_kind;

/* Submits in for in->registrar_id (status submitted) with its audit event:
 * the registrar must be accredited (news_submit_judge) and not gated by a
 * data-processing agreement (service_agreement_gate; outcome names it). */
enum status service_news_submit(const struct service_call *call, const struct news_row *in,
                                struct news_row *out, struct service_outcome *outcome) WARN_UNUSED;

#define SERVICE_NEWS_FEED_MAX 50
/* The Atom feed's items: the newest SERVICE_NEWS_FEED_MAX published. */
enum status service_news_feed(const struct service_call *call, struct page_result *out) WARN_UNUSED;

/* The version of every public news read in state (bumped by any change of
 * an item or of a registrar's trade name, through any replica). */
long long service_news_public_version(const struct store_state *state);

#endif
