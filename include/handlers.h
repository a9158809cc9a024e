/* Every handler the route table names, grouped by resource file in api/. */
#ifndef PARCERIA_HANDLERS_H
#define PARCERIA_HANDLERS_H

#include "api.h"
#include "audit.h"

#define HANDLER(name) int name(const struct _u_request *req, struct _u_response *resp, struct req_ctx *ctx)

/* api/health.c */
HANDLER(api_health_live);
HANDLER(api_health_ready);
HANDLER(api_openapi_document);

/* api/token.c */
HANDLER(api_token_issue);

/* api/me.c */
HANDLER(api_me);

/* api/clients.c */
HANDLER(api_clients_list);
HANDLER(api_clients_create);
HANDLER(api_clients_revoke);
HANDLER(api_registrar_clients_list);
HANDLER(api_registrar_clients_create);
HANDLER(api_registrar_clients_revoke);

/* api/audit.c */
HANDLER(api_audit_list);
/* One audit row as JSON (a new reference); also used by every …/history. */
json_t *api_audit_row_json(const struct audit_row *r);

#endif
