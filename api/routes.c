/* The one route table: method, path template, handler, who may call it,
 * which query parameters it takes, and flags. The router, the 404/405
 * fallback, OPTIONS, the role-matrix test and the OpenAPI coverage check all
 * read it. */
#include "handlers.h"

#define A ROLE_ADMIN
#define S ROLE_STAFF /* admin may do whatever staff may */
#define R ROLE_REGISTRAR
#define P ROLE_APPLICANT
#define T ROLE_TEACHER
#define ANY ROLE_ANY_TOKEN
#define APP "/v1/accreditation-applications"
#define REG "/v1/registrars"
#define PRG "/v1/programs"
#define ENR "/v1/enrollments"
#define VOU "/v1/vouchers"
#define SIT "/v1/sitestar"
#define EVT "/v1/events"
#define RGS "/v1/registrations"
#define DRW "/v1/draws"
#define WHK "/v1/webhooks"
#define NWS "/v1/news-items"          /* community: news */
#define SRV "/v1/surveys"             /* community: survey */
#define CCT "/v1/council/terms"       /* trust: the Conselho Consultivo */
#define CCN "/v1/council/nominations" /* trust: the Conselho Consultivo */

#define PAGE "limit", "cursor", "sort", "include_total", "updated_since"
/* community: newsletter */
#define NWI "/v1/newsletter/issues"
#define NLS "/v1/newsletter/suggestions"
static const char *const q_newsletter_issues[] = {PAGE, "status", NULL};
static const char *const q_newsletter_suggestions[] = {PAGE, "status", "registrar_id", NULL};
static const char *const q_subscribers[] = {PAGE, NULL};
/* trust: data-subject requests */
#define DSR "/v1/data-requests"
static const char *const q_data_requests[] = {PAGE, "status", "kind", NULL};
static const char *const q_unsubscribe[] = {"token", NULL};
/* trust: PTSOC security contacts */
#define SCC "/v1/security-contact-checks"
static const char *const q_security_checks[] = {PAGE, NULL};
static const char *const q_security_unreachable[] = {PAGE, NULL};

static const char *const q_clients[] = {PAGE, "status", "role", NULL};
static const char *const q_applications[] = {PAGE,           "status", "q", "submitted_from",
                                             "submitted_to", NULL};
static const char *const q_registrars[] = {PAGE, "status", "program", "q", NULL};
static const char *const q_programs[] = {PAGE, "kind", "status", "year", NULL};
static const char *const q_enrollments[] = {PAGE, "program", "registrar_id", "status", NULL};
static const char *const q_vouchers[] = {PAGE, "program", "status", "registrar_id", NULL};
static const char *const q_editions[] = {PAGE, NULL};
static const char *const q_entries[] = {PAGE, "status", NULL};
static const char *const q_eligibility[] = {"registrar_id", NULL};
static const char *const q_events[] = {PAGE, "kind", "status", "from", "to", NULL};
static const char *const q_registrations[] = {PAGE, "status", "registrar_id", NULL};
static const char *const q_draws[] = {PAGE, "status", NULL};
static const char *const q_webhooks[] = {PAGE, "status", "registrar_id", NULL};
static const char *const q_deliveries[] = {PAGE, "status", NULL};
static const char *const q_outbox[] = {PAGE, "status", "channel", "event", NULL};
static const char *const q_audit[] = {PAGE, "resource_type", "resource_id", "actor", "since", NULL};
static const char *const q_changes[] = {"after", "limit", NULL};
/* community: news */
static const char *const q_news_items[] = {PAGE, "status", "registrar_id", NULL};
static const char *const q_news[] = {"limit", "cursor", NULL};
/* community: SIGA proposals */
static const char *const q_siga[] = {PAGE, "status", "area", NULL};
static const char *const q_siga_comments[] = {PAGE, NULL};
/* community: contacts */
static const char *const q_contacts[] = {PAGE, NULL};
static const char *const q_contact_requests[] = {PAGE, "status", "topic", "registrar_id", NULL};
static const char *const q_surveys[] = {PAGE, "status", "year", NULL}; /* community: survey */
/* trust: agreements */
static const char *const q_agreements[] = {PAGE, NULL};
/* trust: incidents */
static const char *const q_incidents[] = {PAGE,           "status",  "severity", "tlp",
                                          "registrar_id", "overdue", NULL};
/* trust: the Conselho Consultivo */
static const char *const q_council_terms[] = {PAGE, "status", NULL};
static const char *const q_council_nominations[] = {PAGE, "status", NULL};
/* trust: the tamper-evident activity log */
static const char *const q_checkpoints[] = {PAGE, NULL};

const struct route api_routes[] = {
    {"GET", "/healthz", api_health_live, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH, NULL},
    {"GET", "/readyz", api_health_ready, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH, NULL},
    {"GET", "/openapi.yaml", api_openapi_document, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH, NULL},
    {"GET", "/metrics", api_metrics_get, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH, NULL},
    {"GET", "/docs", api_docs_page, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH, NULL},
    {"GET", "/docs/{asset}", api_docs_asset, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH, NULL},

    {"POST", "/v1/auth/token", api_token_issue, ROLE_PUBLIC, NULL,
     ROUTE_NO_IDEMPOTENCY | ROUTE_NO_AUTH, NULL},
    {"GET", "/v1/me", api_me, ANY, NULL, 0, NULL},
    {"GET", "/v1/clients", resource_list, A, q_clients, 0, &api_clients},
    {"POST", "/v1/clients", api_clients_create, A, NULL, 0, NULL},
    {"DELETE", "/v1/clients/{client_id}", api_clients_revoke, A, NULL, 0, NULL},
    {"GET", "/v1/registrars/{id}/clients", resource_list, A | R, q_clients, 0, &api_clients},
    {"POST", "/v1/registrars/{id}/clients", api_registrar_clients_create, A | R, NULL, 0, NULL},
    {"DELETE", "/v1/registrars/{id}/clients/{client_id}", api_registrar_clients_revoke, A | R, NULL,
     0, NULL},
    {"GET", "/v1/audit-events", resource_list, S, q_audit, 0, &api_audit},
    {"GET", "/v1/outbox", resource_list, S, q_outbox, 0, &api_outbox},
    {"GET", "/v1/changes", api_changes_list, S | R, q_changes, 0, NULL},

    {"POST", APP, api_applications_create, ROLE_PUBLIC, NULL, 0, &api_applications},
    {"GET", APP, resource_list, S, q_applications, 0, &api_applications},
    {"GET", APP "/{id}", resource_get, S | P, NULL, 0, &api_applications},
    {"PATCH", APP "/{id}", resource_patch, S | P, NULL, 0, &api_applications},
    {"GET", APP "/{id}/history", resource_history, S | P, NULL, 0, &api_applications},
    {"POST", APP "/{id}/start-review", resource_act, S, NULL, 0, &api_applications},
    {"POST", APP "/{id}/request-changes", resource_act, S, NULL, 0, &api_applications},
    {"POST", APP "/{id}/approve", resource_act, S, NULL, 0, &api_applications},
    {"POST", APP "/{id}/reject", resource_act, S, NULL, 0, &api_applications},
    {"POST", APP "/{id}/resubmit", resource_act, P, NULL, 0, &api_applications},
    {"POST", APP "/{id}/withdraw", resource_act, P, NULL, 0, &api_applications},
    {"POST", APP "/{id}/credentials", api_applications_credentials, P, NULL, 0, &api_applications},

    {"GET", REG, resource_list, ROLE_PUBLIC, q_registrars, 0, &api_registrars},
    {"GET", REG "/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_registrars},
    {"PATCH", REG "/{id}", resource_patch, S | R, NULL, 0, &api_registrars},
    {"GET", REG "/{id}/history", resource_history, S | R, NULL, 0, &api_registrars},
    {"POST", REG "/{id}/suspend", resource_act, S, NULL, 0, &api_registrars},
    {"POST", REG "/{id}/reinstate", resource_act, S, NULL, 0, &api_registrars},
    {"POST", REG "/{id}/terminate", resource_act, S, NULL, 0, &api_registrars},

    {"GET", PRG, resource_list, ROLE_PUBLIC, q_programs, 0, &api_programs},
    {"POST", PRG, api_programs_create, S, NULL, 0, &api_programs},
    {"GET", PRG "/{code}", resource_get, ROLE_PUBLIC, NULL, 0, &api_programs},
    {"PATCH", PRG "/{code}", resource_patch, S, NULL, 0, &api_programs},
    {"GET", PRG "/{code}/history", resource_history, S, NULL, 0, &api_programs},
    {"POST", PRG "/{code}/open", resource_act, S, NULL, 0, &api_programs},
    {"POST", PRG "/{code}/close", resource_act, S, NULL, 0, &api_programs},
    {"POST", PRG "/{code}/archive", resource_act, S, NULL, 0, &api_programs},
    {"GET", PRG "/{code}/eligibility", api_programs_eligibility, S | R, q_eligibility, 0,
     &api_programs},
    {"POST", PRG "/{code}/enrollments", api_enrollments_create, S | R, NULL, 0, &api_enrollments},
    {"GET", PRG "/{code}/enrollments/summary", api_programs_enrollment_summary, S, NULL, 0,
     &api_programs},

    {"GET", ENR, resource_list, S | R, q_enrollments, 0, &api_enrollments},
    {"GET", ENR "/{id}", resource_get, S | R, NULL, 0, &api_enrollments},
    {"GET", ENR "/{id}/history", resource_history, S | R, NULL, 0, &api_enrollments},
    {"POST", ENR "/{id}/approve", resource_act, S, NULL, 0, &api_enrollments},
    {"POST", ENR "/{id}/reject", resource_act, S, NULL, 0, &api_enrollments},
    {"POST", ENR "/{id}/suspend", resource_act, S, NULL, 0, &api_enrollments},
    {"POST", ENR "/{id}/reinstate", resource_act, S, NULL, 0, &api_enrollments},
    {"POST", ENR "/{id}/withdraw", resource_act, R, NULL, 0, &api_enrollments},

    {"POST", PRG "/{code}/vouchers", api_vouchers_issue, S, NULL, 0, &api_vouchers},
    {"GET", PRG "/{code}/voucher-stats", api_vouchers_stats, S, NULL, 0, &api_vouchers},
    {"GET", VOU, resource_list, S | R, q_vouchers, 0, &api_vouchers},
    {"GET", VOU "/{code}", api_vouchers_get, S | R, NULL, 0, &api_vouchers},
    {"POST", VOU "/{code}/redeem", api_vouchers_redeem, R, NULL, 0, &api_vouchers},
    {"POST", VOU "/{code}/revoke", resource_act, S, NULL, 0, &api_vouchers},

    {"GET", SIT "/editions", resource_list, ROLE_PUBLIC, q_editions, 0, &api_editions},
    {"POST", SIT "/editions", api_editions_create, S, NULL, 0, &api_editions},
    {"GET", SIT "/editions/{year}", resource_get, ROLE_PUBLIC, NULL, 0, &api_editions},
    {"PATCH", SIT "/editions/{year}", resource_patch, S, NULL, 0, &api_editions},
    {"POST", SIT "/editions/{year}/select", api_editions_select, S, NULL, 0, &api_editions},
    {"POST", SIT "/editions/{year}/entries", api_entries_create, ROLE_PUBLIC, NULL, 0,
     &api_entries},
    {"GET", SIT "/editions/{year}/entries", resource_list, S, q_entries, 0, &api_entries},
    {"GET", SIT "/entries/{id}", resource_get, S | T, NULL, 0, &api_entries},
    {"PATCH", SIT "/entries/{id}", resource_patch, S | T, NULL, 0, &api_entries},
    {"GET", SIT "/entries/{id}/history", resource_history, S | T, NULL, 0, &api_entries},
    {"PUT", SIT "/entries/{id}/scores/me", api_entries_score, S, NULL, 0, &api_entries},
    {"GET", SIT "/entries/{id}/scores", api_entries_scores, S, NULL, 0, &api_entries},
    {"POST", SIT "/entries/{id}/disqualify", resource_act, S, NULL, 0, &api_entries},
    {"POST", SIT "/entries/{id}/withdraw", resource_act, T, NULL, 0, &api_entries},

    {"GET", EVT, resource_list, ROLE_PUBLIC, q_events, 0, &api_events},
    {"POST", EVT, api_events_create, S, NULL, 0, &api_events},
    {"GET", EVT "/calendar.ics", api_events_calendar_feed, ROLE_PUBLIC, NULL, 0, &api_events},
    {"GET", EVT "/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_events},
    {"PATCH", EVT "/{id}", resource_patch, S, NULL, 0, &api_events},
    {"GET", EVT "/{id}/history", resource_history, S, NULL, 0, &api_events},
    {"POST", EVT "/{id}/publish", resource_act, S, NULL, 0, &api_events},
    {"POST", EVT "/{id}/cancel", resource_act, S, NULL, 0, &api_events},
    {"POST", EVT "/{id}/close", resource_act, S, NULL, 0, &api_events},
    {"GET", EVT "/{id}/eligibility", api_events_eligibility, S | R, q_eligibility, 0, &api_events},
    {"GET", EVT "/{id}/calendar.ics", api_events_calendar, ROLE_PUBLIC, NULL, 0, &api_events},
    {"POST", EVT "/{id}/registrations", api_registrations_create, S | R, NULL, 0,
     &api_registrations},
    {"GET", EVT "/{id}/registrations", resource_list, S | R, q_registrations, 0,
     &api_registrations},

    {"GET", RGS "/{id}", resource_get, S | R, NULL, 0, &api_registrations},
    {"PATCH", RGS "/{id}", resource_patch, S | R, NULL, 0, &api_registrations},
    {"GET", RGS "/{id}/history", resource_history, S | R, NULL, 0, &api_registrations},
    {"POST", RGS "/{id}/cancel", resource_act, S | R, NULL, 0, &api_registrations},
    {"POST", RGS "/{id}/check-in", resource_act, S, NULL, 0, &api_registrations},

    {"GET", DRW, resource_list, ROLE_PUBLIC, q_draws, 0, &api_draws},
    {"POST", DRW, api_draws_create, S, NULL, 0, &api_draws},
    {"GET", DRW "/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_draws},
    {"GET", DRW "/{id}/history", resource_history, S, NULL, 0, &api_draws},
    {"POST", DRW "/{id}/freeze", resource_act, S, NULL, 0, &api_draws},
    {"POST", DRW "/{id}/run", resource_act, S, NULL, 0, &api_draws},
    {"POST", DRW "/{id}/decline", resource_act, S | R, NULL, 0, &api_draws},

    {"GET", WHK, resource_list, S | R, q_webhooks, 0, &api_webhooks},
    {"POST", WHK, api_webhooks_create, S | R, NULL, 0, &api_webhooks},
    {"GET", WHK "/{id}", resource_get, S | R, NULL, 0, &api_webhooks},
    {"PATCH", WHK "/{id}", resource_patch, S | R, NULL, 0, &api_webhooks},
    {"DELETE", WHK "/{id}", api_webhooks_delete, S | R, NULL, 0, &api_webhooks},
    {"POST", WHK "/{id}/secrets", api_webhooks_secret_add, S | R, NULL, 0, &api_webhooks},
    {"DELETE", WHK "/{id}/secrets/{secret_id}", api_webhooks_secret_remove, S | R, NULL, 0,
     &api_webhooks},
    {"GET", WHK "/{id}/deliveries", resource_list, S | R, q_deliveries, 0, &api_webhook_deliveries},
    {"POST", "/v1/webhook-deliveries/{id}/redeliver", api_webhook_deliveries_redeliver, S | R, NULL,
     0, NULL},

    /* community: news */
    {"POST", NWS, api_news_items_create, R, NULL, 0, &api_news_items},
    {"GET", NWS, resource_list, S | R, q_news_items, 0, &api_news_items},
    {"GET", NWS "/{id}", resource_get, S | R, NULL, 0, &api_news_items},
    {"PATCH", NWS "/{id}", resource_patch, S | R, NULL, 0, &api_news_items},
    {"GET", NWS "/{id}/history", resource_history, S | R, NULL, 0, &api_news_items},
    {"POST", NWS "/{id}/publish", resource_act, S, NULL, 0, &api_news_items},
    {"POST", NWS "/{id}/reject", resource_act, S, NULL, 0, &api_news_items},
    {"POST", NWS "/{id}/request-changes", resource_act, S, NULL, 0, &api_news_items},
    {"POST", NWS "/{id}/archive", resource_act, S, NULL, 0, &api_news_items},
    {"POST", NWS "/{id}/resubmit", resource_act, R, NULL, 0, &api_news_items},
    {"GET", "/v1/news", resource_list, ROLE_PUBLIC, q_news, 0, &api_news},
    {"GET", "/v1/news.atom", api_news_feed, ROLE_PUBLIC, NULL, 0, &api_news},
    {"GET", "/v1/news/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_news},
    /* community: SIGA proposals */
    {"GET", "/v1/siga/proposals", resource_list, S | R, q_siga, 0, &api_siga_proposals},
    {"POST", "/v1/siga/proposals", api_siga_proposals_create, S | R, NULL, 0, &api_siga_proposals},
    {"GET", "/v1/siga/proposals/{id}", resource_get, S | R, NULL, 0, &api_siga_proposals},
    {"PATCH", "/v1/siga/proposals/{id}", resource_patch, S | R, NULL, 0, &api_siga_proposals},
    {"GET", "/v1/siga/proposals/{id}/history", resource_history, S, NULL, 0, &api_siga_proposals},
    {"POST", "/v1/siga/proposals/{id}/consider", resource_act, S, NULL, 0, &api_siga_proposals},
    {"POST", "/v1/siga/proposals/{id}/plan", resource_act, S, NULL, 0, &api_siga_proposals},
    {"POST", "/v1/siga/proposals/{id}/complete", resource_act, S, NULL, 0, &api_siga_proposals},
    {"POST", "/v1/siga/proposals/{id}/decline", resource_act, S, NULL, 0, &api_siga_proposals},
    {"PUT", "/v1/siga/proposals/{id}/vote", api_siga_vote, R, NULL, 0, &api_siga_proposals},
    {"DELETE", "/v1/siga/proposals/{id}/vote", api_siga_unvote, R, NULL, 0, &api_siga_proposals},
    {"GET", "/v1/siga/proposals/{id}/comments", resource_list, S | R, q_siga_comments, 0,
     &api_siga_comments},
    {"POST", "/v1/siga/proposals/{id}/comments", api_siga_comments_create, S | R, NULL, 0,
     &api_siga_comments},
    {"GET", "/v1/siga/comments/{id}", resource_get, S | R, NULL, 0, &api_siga_comments},
    {"PATCH", "/v1/siga/comments/{id}", resource_patch, S | R, NULL, 0, &api_siga_comments},
    {"POST", "/v1/siga/comments/{id}/hide", resource_act, S, NULL, 0, &api_siga_comments},
    /* community: contacts */
    {"GET", "/v1/contacts", resource_list, ROLE_PUBLIC, q_contacts, 0, &api_contacts},
    {"POST", "/v1/contacts", api_contacts_create, S, NULL, 0, &api_contacts},
    {"GET", "/v1/contacts/{topic}", resource_get, ROLE_PUBLIC, NULL, 0, &api_contacts},
    {"PATCH", "/v1/contacts/{topic}", resource_patch, S, NULL, 0, &api_contacts},
    {"GET", "/v1/contacts/{topic}/history", resource_history, S, NULL, 0, &api_contacts},
    {"POST", "/v1/contact-requests", api_contact_requests_create, ROLE_PUBLIC, NULL, 0,
     &api_contact_requests},
    {"GET", "/v1/contact-requests", resource_list, S | R, q_contact_requests, 0,
     &api_contact_requests},
    {"GET", "/v1/contact-requests/{id}", resource_get, S | R, NULL, 0, &api_contact_requests},
    {"GET", "/v1/contact-requests/{id}/history", resource_history, S | R, NULL, 0,
     &api_contact_requests},
    {"POST", "/v1/contact-requests/{id}/answer", resource_act, S, NULL, 0, &api_contact_requests},
    {"POST", "/v1/contact-requests/{id}/close", resource_act, S, NULL, 0, &api_contact_requests},
    /* community: survey */
    {"GET", SRV, resource_list, ROLE_PUBLIC, q_surveys, 0, &api_surveys},
    {"POST", SRV, api_surveys_create, S, NULL, 0, &api_surveys},
    {"GET", SRV "/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_surveys},
    {"PATCH", SRV "/{id}", resource_patch, S, NULL, 0, &api_surveys},
    {"GET", SRV "/{id}/history", resource_history, S, NULL, 0, &api_surveys},
    {"POST", SRV "/{id}/open", resource_act, S, NULL, 0, &api_surveys},
    {"POST", SRV "/{id}/close", resource_act, S, NULL, 0, &api_surveys},
    {"POST", SRV "/{id}/publish", resource_act, S, NULL, 0, &api_surveys},
    {"GET", SRV "/{id}/responses/mine", api_surveys_response, R, NULL, 0, &api_surveys},
    {"PUT", SRV "/{id}/responses/mine", api_surveys_respond, R, NULL, 0, &api_surveys},
    {"GET", SRV "/{id}/results", api_surveys_results, ROLE_PUBLIC, NULL, 0, &api_surveys},
    {"GET", SRV "/{id}/export.csv", api_surveys_export, S, NULL, 0, &api_surveys},
    {"GET", SRV "/{id}/panel.csv", api_surveys_panel, S, NULL, 0, &api_surveys},
    /* community: newsletter */
    {"GET", NWI, resource_list, ROLE_PUBLIC, q_newsletter_issues, 0, &api_newsletter_issues},
    {"POST", NWI, api_newsletter_issues_create, S, NULL, 0, &api_newsletter_issues},
    {"GET", NWI "/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_newsletter_issues},
    {"PATCH", NWI "/{id}", resource_patch, S, NULL, 0, &api_newsletter_issues},
    {"GET", NWI "/{id}/history", resource_history, S, NULL, 0, &api_newsletter_issues},
    {"POST", NWI "/{id}/publish", resource_act, S, NULL, 0, &api_newsletter_issues},
    {"GET", NLS, resource_list, S | R, q_newsletter_suggestions, 0, &api_newsletter_suggestions},
    {"POST", NLS, api_newsletter_suggestions_create, R, NULL, 0, &api_newsletter_suggestions},
    {"GET", NLS "/{id}", resource_get, S | R, NULL, 0, &api_newsletter_suggestions},
    {"GET", NLS "/{id}/history", resource_history, S | R, NULL, 0, &api_newsletter_suggestions},
    {"POST", NLS "/{id}/accept", resource_act, S, NULL, 0, &api_newsletter_suggestions},
    {"POST", NLS "/{id}/decline", resource_act, S, NULL, 0, &api_newsletter_suggestions},
    {"POST", NLS "/{id}/use", resource_act, S, NULL, 0, &api_newsletter_suggestions},
    {"POST", "/v1/newsletter/subscriptions", api_newsletter_subscribe, ROLE_PUBLIC, NULL, 0,
     &api_newsletter_subscriptions},
    {"POST", "/v1/newsletter/subscriptions/confirm", api_newsletter_confirm, ROLE_PUBLIC, NULL, 0,
     &api_newsletter_subscriptions},
    {"POST", "/v1/newsletter/unsubscribe", api_newsletter_unsubscribe, ROLE_PUBLIC, q_unsubscribe,
     0, &api_newsletter_subscriptions},
    {"GET", "/v1/newsletter/subscribers", resource_list, S, q_subscribers, 0,
     &api_newsletter_subscriptions},
    /* trust: agreements */
    {"GET", "/v1/agreements", resource_list, ROLE_PUBLIC, q_agreements, 0, &api_agreements},
    {"POST", "/v1/agreements", api_agreements_create, S, NULL, 0, &api_agreements},
    {"GET", "/v1/agreements/{version}", resource_get, ROLE_PUBLIC, NULL, 0, &api_agreements},
    {"POST", "/v1/agreements/{version}/accept", api_agreements_accept, R, NULL, 0, &api_agreements},
    {"GET", REG "/{id}/agreements", api_registrar_agreements, S | R, NULL, 0, NULL},
    /* trust: incidents */
    {"GET", "/v1/incidents", resource_list, S | R, q_incidents, 0, &api_incidents},
    {"POST", "/v1/incidents", api_incidents_create, S | R, NULL, 0, &api_incidents},
    {"GET", "/v1/incidents/{id}", resource_get, S | R, NULL, 0, &api_incidents},
    {"PATCH", "/v1/incidents/{id}", resource_patch, S | R, NULL, 0, &api_incidents},
    {"GET", "/v1/incidents/{id}/history", resource_history, S, NULL, 0, &api_incidents},
    {"POST", "/v1/incidents/{id}/acknowledge", resource_act, S, NULL, 0, &api_incidents},
    {"POST", "/v1/incidents/{id}/investigate", resource_act, S, NULL, 0, &api_incidents},
    {"POST", "/v1/incidents/{id}/resolve", resource_act, S, NULL, 0, &api_incidents},
    {"POST", "/v1/incidents/{id}/close", resource_act, S, NULL, 0, &api_incidents},
    {"GET", "/v1/incidents/{id}/updates", api_incident_updates_list, S | R, NULL, 0,
     &api_incidents},
    {"POST", "/v1/incidents/{id}/updates", api_incident_updates_create, S | R, NULL, 0,
     &api_incidents},
    /* trust: the Conselho Consultivo */
    {"GET", CCT, resource_list, ROLE_PUBLIC, q_council_terms, 0, &api_council_terms},
    {"POST", CCT, api_council_terms_create, S, NULL, 0, &api_council_terms},
    {"GET", CCT "/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_council_terms},
    {"PATCH", CCT "/{id}", resource_patch, S, NULL, 0, &api_council_terms},
    {"GET", CCT "/{id}/history", resource_history, S, NULL, 0, &api_council_terms},
    {"POST", CCT "/{id}/open-nominations", resource_act, S, NULL, 0, &api_council_terms},
    {"POST", CCT "/{id}/open-voting", resource_act, S, NULL, 0, &api_council_terms},
    {"POST", CCT "/{id}/close", resource_act, S, NULL, 0, &api_council_terms},
    {"GET", CCT "/{id}/nominations", resource_list, ROLE_PUBLIC, q_council_nominations, 0,
     &api_council_nominations},
    {"POST", CCT "/{id}/nominations", api_council_nominations_create, R, NULL, 0,
     &api_council_nominations},
    /* a ballot's answer is never stored under an Idempotency-Key: it would name the voter */
    {"POST", CCT "/{id}/ballots", api_council_ballots_create, R, NULL, ROUTE_NO_IDEMPOTENCY,
     &api_council_terms},
    {"GET", CCT "/{id}/results", api_council_results, ROLE_PUBLIC, NULL, 0, &api_council_terms},
    {"GET", CCN "/{id}", resource_get, ROLE_PUBLIC, NULL, 0, &api_council_nominations},
    {"GET", CCN "/{id}/history", resource_history, S, NULL, 0, &api_council_nominations},
    {"POST", CCN "/{id}/accept", resource_act, S, NULL, 0, &api_council_nominations},
    {"POST", CCN "/{id}/reject", resource_act, S, NULL, 0, &api_council_nominations},
    /* trust: the tamper-evident activity log */
    {"GET", "/v1/audit-checkpoints", resource_list, ROLE_PUBLIC, q_checkpoints, 0,
     &api_audit_checkpoints},
    {"POST", "/v1/audit-checkpoints", api_checkpoints_create, S, NULL, 0, NULL},
    {"GET", "/v1/audit-checkpoints/{id}", api_checkpoints_get, ROLE_PUBLIC, NULL, 0, NULL},
    {"GET", REG "/{id}/activity", api_registrar_activity, S | R, q_changes, 0, NULL},
    /* trust: PTSOC security contacts */
    {"GET", SCC, resource_list, S, q_security_checks, 0, &api_security_contact_checks},
    {"POST", SCC, api_security_contact_checks_create, S, NULL, 0, &api_security_contact_checks},
    {"GET", SCC "/{id}", resource_get, S, NULL, 0, &api_security_contact_checks},
    {"POST", "/v1/security-contacts/confirm", api_security_contacts_confirm, ROLE_PUBLIC, NULL, 0,
     &api_security_contacts},
    {"GET", "/v1/security-contacts/unreachable", resource_list, S, q_security_unreachable, 0,
     &api_security_contacts},
    {"GET", REG "/{id}/security-contacts", api_registrar_security_contacts, S | R, NULL, 0, NULL},
    /* trust: data-subject requests */
    {"GET", DSR, resource_list, S, q_data_requests, 0, &api_data_requests},
    {"POST", DSR, api_data_requests_create, S, NULL, 0, &api_data_requests},
    {"GET", DSR "/{id}", resource_get, S, NULL, 0, &api_data_requests},
    {"GET", DSR "/{id}/history", resource_history, S, NULL, 0, &api_data_requests},
    {"GET", DSR "/{id}/export", api_data_requests_export, S, NULL, 0, &api_data_requests},
    {"POST", DSR "/{id}/extend", resource_act, S, NULL, 0, &api_data_requests},
    {"POST", DSR "/{id}/fulfil", resource_act, S, NULL, 0, &api_data_requests},
    {"POST", DSR "/{id}/reject", resource_act, S, NULL, 0, &api_data_requests},

    {NULL, NULL, NULL, 0, NULL, 0, NULL},
};
