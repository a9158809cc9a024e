/* The one route table: method, path template, handler, who may call it and
 * which query parameters it takes. The router, the 404/405 fallback, OPTIONS,
 * the role-matrix test and the OpenAPI coverage check all read it. */
#include "handlers.h"

const struct route api_routes[] = {
    {"GET", "/healthz", api_health_live, ROLE_PUBLIC, NULL},
    {"GET", "/readyz", api_health_ready, ROLE_PUBLIC, NULL},
    {"GET", "/openapi.yaml", api_openapi_document, ROLE_PUBLIC, NULL},
    {"GET", "/metrics", api_metrics_get, ROLE_PUBLIC, NULL},
    {"GET", "/docs", api_docs_page, ROLE_PUBLIC, NULL},
    {"GET", "/docs/{asset}", api_docs_asset, ROLE_PUBLIC, NULL},
    {NULL, NULL, NULL, 0, NULL},
};
