/* Every handler the route table names, grouped by resource file in api/. */
#ifndef PARCERIA_HANDLERS_H
#define PARCERIA_HANDLERS_H

#include "api.h"
#include "resource.h"
#include "schema.h"
#include "store_audit.h"

#define HANDLER(name)                                                                              \
    int name(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)

/* api/health.c */
HANDLER(api_health_live);
HANDLER(api_health_ready);
HANDLER(api_openapi_document);

/* api/token.c */
HANDLER(api_token_issue);

/* api/me.c */
HANDLER(api_me);

/* api/clients.c */
extern const struct resource api_clients; /* its lists, all and a registrar's */
HANDLER(api_clients_create);
HANDLER(api_clients_revoke);
HANDLER(api_registrar_clients_create);
HANDLER(api_registrar_clients_revoke);

/* One API client as JSON (a new reference), without its secret. */
struct client;
json_t *api_client_json(const struct client *c);

/* api/webhooks.c: the kit reads, lists and edits subscriptions. */
extern const struct resource api_webhooks;
extern const struct resource api_webhook_deliveries; /* a subscription's delivery log */
HANDLER(api_webhooks_create);
HANDLER(api_webhooks_delete);
HANDLER(api_webhooks_secret_add);
HANDLER(api_webhooks_secret_remove);
HANDLER(api_webhook_deliveries_redeliver);

/* api/applications.c: the kit serves the rest of the resource. */
extern const struct resource api_applications;
HANDLER(api_applications_create);
HANDLER(api_applications_credentials);
/* An accreditation application's fields (the body of POST, and of PATCH as a merge patch). */
extern const struct field api_application_fields[];

/* api/registrars.c: the kit serves all of it. */
extern const struct resource api_registrars;

/* api/programs.c: the kit serves the rest of the resource. */
extern const struct resource api_programs;
HANDLER(api_programs_create);

/* api/enrollments.c: the kit serves reading, history and the actions. */
extern const struct resource api_enrollments;
HANDLER(api_enrollments_create);
HANDLER(api_programs_eligibility);
HANDLER(api_programs_enrollment_summary);

/* api/vouchers.c: the kit serves the list and revoke. */
extern const struct resource api_vouchers;
HANDLER(api_vouchers_get);
HANDLER(api_vouchers_redeem);
HANDLER(api_vouchers_issue);
HANDLER(api_vouchers_stats);

/* api/sitestar.c: the kit serves reading, edits, history and entries' actions. */
extern const struct resource api_editions;
extern const struct resource api_entries;
HANDLER(api_editions_create);
HANDLER(api_editions_select);
HANDLER(api_entries_create);
HANDLER(api_entries_score);
HANDLER(api_entries_scores);

/* api/events.c: the kit serves reading, edits, history and the actions. */
extern const struct resource api_events;
HANDLER(api_events_create);
HANDLER(api_events_eligibility);
HANDLER(api_events_calendar);
HANDLER(api_events_calendar_feed);

/* api/registrations.c: the kit serves reading, edits, history and the actions. */
extern const struct resource api_registrations;
HANDLER(api_registrations_create);

/* api/draws.c: the kit serves reading, history and the actions (run's and
 * decline's bodies by the resource's action_body). */
extern const struct resource api_draws;
HANDLER(api_draws_create);

/* api/outbox.c */
extern const struct resource api_outbox; /* its list */

/* api/audit.c */
extern const struct resource api_audit; /* its list */
/* One audit row as JSON (a new reference); also used by every …/history. */
json_t *api_audit_row_json(const struct audit_row *r);

/* api/changes.c: the change feed. */
HANDLER(api_changes_list);

/* --- community: news --- */
/* api/news.c: the kit serves reading, edits, history and the actions of
 * news items (a registrar's own), and the public news (published items). */
extern const struct resource api_news_items;
extern const struct resource api_news;
HANDLER(api_news_items_create);
HANDLER(api_news_feed);
/* community: contacts. api/contacts.c and api/contact_requests.c: the kit
 * serves reading, edits, lists, history and answer/close. */
extern const struct resource api_contacts;
extern const struct resource api_contact_requests;
HANDLER(api_contacts_create);
HANDLER(api_contact_requests_create);

/* api/metrics.c */
int api_metrics_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);

/* api/docs.c */
int api_docs_page(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int api_docs_asset(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);

/* community: SIGA proposals (api/siga.c): the kit serves reading, edits,
 * history, the status actions and hiding a comment. */
extern const struct resource api_siga_proposals;
extern const struct resource api_siga_comments;
HANDLER(api_siga_proposals_create);
HANDLER(api_siga_vote);
HANDLER(api_siga_unvote);
HANDLER(api_siga_comments_create);
/* community: survey */
/* api/surveys.c: the kit serves reading, edits, history and the actions. */
extern const struct resource api_surveys;
HANDLER(api_surveys_create);
HANDLER(api_surveys_respond);
HANDLER(api_surveys_response);
HANDLER(api_surveys_results);
HANDLER(api_surveys_export);
HANDLER(api_surveys_panel);
/* community: newsletter. api/newsletter_issues.c, api/newsletter_suggestions.c: the
 * kit serves reading, edits, history and the actions (accept's body by
 * action_body); api/newsletter_subscriptions.c: the public double opt-in and
 * staff's subscribers list (the resource's list). */
extern const struct resource api_newsletter_issues;
HANDLER(api_newsletter_issues_create);
extern const struct resource api_newsletter_suggestions;
HANDLER(api_newsletter_suggestions_create);
extern const struct resource api_newsletter_subscriptions;
HANDLER(api_newsletter_subscribe);
HANDLER(api_newsletter_confirm);
HANDLER(api_newsletter_unsubscribe);
/* trust: agreements. api/agreements.c: the kit serves reading the versions. */
extern const struct resource api_agreements;
HANDLER(api_agreements_create);
HANDLER(api_agreements_accept);
HANDLER(api_registrar_agreements);
/* trust: incidents (api/incidents.c) */
extern const struct resource api_incidents;
HANDLER(api_incidents_create);
HANDLER(api_incident_updates_list);
HANDLER(api_incident_updates_create);
/* trust: the Conselho Consultivo (api/council.c, api/council_nominations.c):
 * the kit serves reading, edits, history and the actions. */
extern const struct resource api_council_terms;
extern const struct resource api_council_nominations;
HANDLER(api_council_terms_create);
HANDLER(api_council_ballots_create);
HANDLER(api_council_results);
HANDLER(api_council_nominations_create);
/* A refusal of nominating or voting: 403 not-eligible naming its check. */
int api_council_refused(struct _u_response *resp, struct req_ctx *ctx, enum status st,
                        const struct service_outcome *outcome);
/* trust: the tamper-evident activity log (api/checkpoints.c) */
extern const struct resource api_audit_checkpoints; /* its list */
HANDLER(api_checkpoints_get);
HANDLER(api_checkpoints_create);
HANDLER(api_registrar_activity);
/* trust: PTSOC security contacts. api/security_contacts.c: check rounds (the
 * kit's get and list, a creation of their own), the public confirmation by
 * token, a registrar's contacts' status, the unreachable list. */
extern const struct resource api_security_contact_checks;
HANDLER(api_security_contact_checks_create);
extern const struct resource api_security_contacts;
HANDLER(api_security_contacts_confirm);
HANDLER(api_registrar_security_contacts);
/* trust: data-subject requests. api/data_requests.c: the kit serves reading,
 * history and the actions (extend's body by action_body); the creation and
 * the access export are the file's. */
extern const struct resource api_data_requests;
HANDLER(api_data_requests_create);
HANDLER(api_data_requests_export);

#endif
