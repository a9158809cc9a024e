/* When a credential of ours no longer stands, in SQL: one text for the
 * request's own guard (client.c) and for the checks that flights make for
 * many requests at once (state.c). Over api_clients c LEFT JOIN registrars r
 * ON r.id = c.registrar_id, and over access_keys k. */
#ifndef PARCERIA_STORE_CREDENTIAL_SQL_H
#define PARCERIA_STORE_CREDENTIAL_SQL_H

#define SQL_CLIENT_FROM "api_clients c LEFT JOIN registrars r ON r.id = c.registrar_id"
#define SQL_CLIENT_REFUSED "(c.status <> 'active' OR r.status = 'terminated')"
/* An expired key mints no new tokens, but only a revocation (rejection,
 * withdrawal) stops the short-lived tokens already issued. */
#define SQL_KEY_REFUSED "k.revoked_at IS NOT NULL"

#endif
