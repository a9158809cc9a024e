/* Every handler the route table names, grouped by resource file in api/. */
#ifndef PARCERIA_HANDLERS_H
#define PARCERIA_HANDLERS_H

#include "api.h"

/* api/health.c */
int api_health_live(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int api_health_ready(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int api_openapi_document(const struct _u_request *req, struct _u_response *resp,
                         struct req_ctx *ctx);

/* api/metrics.c */
int api_metrics_get(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);

/* api/docs.c */
int api_docs_page(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);
int api_docs_asset(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx);

#endif
