/* The one route table: method, path template, handler, who may call it,
 * which query parameters it takes, and flags. The router, the 404/405
 * fallback, OPTIONS, the role-matrix test and the OpenAPI coverage check all
 * read it. */
#include "handlers.h"

#define A ROLE_ADMIN
#define S ROLE_STAFF /* admin may do whatever staff may */
#define R ROLE_REGISTRAR
#define ANY ROLE_ANY_TOKEN

#define PAGE "limit", "cursor", "sort", "include_total", "updated_since"

static const char *const q_clients[] = {PAGE, "status", "role", NULL};
static const char *const q_audit[] = {PAGE, "resource_type", "resource_id", "actor", "since", NULL};

const struct route api_routes[] = {
    {"GET", "/healthz", api_health_live, ROLE_PUBLIC, NULL, 0},
    {"GET", "/readyz", api_health_ready, ROLE_PUBLIC, NULL, 0},
    {"GET", "/openapi.yaml", api_openapi_document, ROLE_PUBLIC, NULL, 0},

    {"POST", "/v1/auth/token", api_token_issue, ROLE_PUBLIC, NULL, ROUTE_NO_IDEMPOTENCY},
    {"GET", "/v1/me", api_me, ANY, NULL, 0},
    {"GET", "/v1/clients", api_clients_list, A, q_clients, 0},
    {"POST", "/v1/clients", api_clients_create, A, NULL, 0},
    {"DELETE", "/v1/clients/{client_id}", api_clients_revoke, A, NULL, 0},
    {"GET", "/v1/registrars/{id}/clients", api_registrar_clients_list, A | R, q_clients, 0},
    {"POST", "/v1/registrars/{id}/clients", api_registrar_clients_create, A | R, NULL, 0},
    {"DELETE", "/v1/registrars/{id}/clients/{client_id}", api_registrar_clients_revoke, A | R, NULL, 0},
    {"GET", "/v1/audit-events", api_audit_list, S, q_audit, 0},

    {NULL, NULL, NULL, 0, NULL, 0},
};
