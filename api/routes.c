/* The one route table: method, path template, handler, who may call it,
 * which query parameters it takes, and flags. The router, the 404/405
 * fallback, OPTIONS, the role-matrix test and the OpenAPI coverage check all
 * read it. */
#include "handlers.h"

#define A ROLE_ADMIN
#define S ROLE_STAFF /* admin may do whatever staff may */
#define R ROLE_REGISTRAR
#define P ROLE_APPLICANT
#define ANY ROLE_ANY_TOKEN
#define APP "/v1/accreditation-applications"
#define REG "/v1/registrars"

#define PAGE "limit", "cursor", "sort", "include_total", "updated_since"

static const char *const q_clients[] = {PAGE, "status", "role", NULL};
static const char *const q_applications[] = {PAGE,           "status", "q", "submitted_from",
                                             "submitted_to", NULL};
static const char *const q_registrars[] = {PAGE, "status", "program", "q", NULL};
static const char *const q_audit[] = {PAGE, "resource_type", "resource_id", "actor", "since", NULL};

const struct route api_routes[] = {
    {"GET", "/healthz", api_health_live, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH},
    {"GET", "/readyz", api_health_ready, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH},
    {"GET", "/openapi.yaml", api_openapi_document, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH},
    {"GET", "/metrics", api_metrics_get, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH},
    {"GET", "/docs", api_docs_page, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH},
    {"GET", "/docs/{asset}", api_docs_asset, ROLE_PUBLIC, NULL, ROUTE_NO_AUTH},

    {"POST", "/v1/auth/token", api_token_issue, ROLE_PUBLIC, NULL,
     ROUTE_NO_IDEMPOTENCY | ROUTE_NO_AUTH},
    {"GET", "/v1/me", api_me, ANY, NULL, 0},
    {"GET", "/v1/clients", api_clients_list, A, q_clients, 0},
    {"POST", "/v1/clients", api_clients_create, A, NULL, 0},
    {"DELETE", "/v1/clients/{client_id}", api_clients_revoke, A, NULL, 0},
    {"GET", "/v1/registrars/{id}/clients", api_registrar_clients_list, A | R, q_clients, 0},
    {"POST", "/v1/registrars/{id}/clients", api_registrar_clients_create, A | R, NULL, 0},
    {"DELETE", "/v1/registrars/{id}/clients/{client_id}", api_registrar_clients_revoke, A | R, NULL,
     0},
    {"GET", "/v1/audit-events", api_audit_list, S, q_audit, 0},

    {"POST", APP, api_applications_create, ROLE_PUBLIC, NULL, 0},
    {"GET", APP, api_applications_list, S, q_applications, 0},
    {"GET", APP "/{id}", api_applications_get, S | P, NULL, 0},
    {"PATCH", APP "/{id}", api_applications_update, S | P, NULL, 0},
    {"GET", APP "/{id}/history", api_applications_history, S | P, NULL, 0},
    {"POST", APP "/{id}/start-review", api_applications_start_review, S, NULL, 0},
    {"POST", APP "/{id}/request-changes", api_applications_request_changes, S, NULL, 0},
    {"POST", APP "/{id}/approve", api_applications_approve, S, NULL, 0},
    {"POST", APP "/{id}/reject", api_applications_reject, S, NULL, 0},
    {"POST", APP "/{id}/resubmit", api_applications_resubmit, P, NULL, 0},
    {"POST", APP "/{id}/withdraw", api_applications_withdraw, P, NULL, 0},
    {"POST", APP "/{id}/credentials", api_applications_credentials, P, NULL, 0},

    {"GET", REG, api_registrars_list, ROLE_PUBLIC, q_registrars, 0},
    {"GET", REG "/{id}", api_registrars_get, ROLE_PUBLIC, NULL, 0},
    {"PATCH", REG "/{id}", api_registrars_update, S | R, NULL, 0},
    {"GET", REG "/{id}/history", api_registrars_history, S | R, NULL, 0},
    {"POST", REG "/{id}/suspend", api_registrars_suspend, S, NULL, 0},
    {"POST", REG "/{id}/reinstate", api_registrars_reinstate, S, NULL, 0},
    {"POST", REG "/{id}/terminate", api_registrars_terminate, S, NULL, 0},

    {NULL, NULL, NULL, 0, NULL, 0},
};
