/* API clients and access keys: the credentials the token endpoint accepts. */
#ifndef PARCERIA_STORE_CLIENT_H
#define PARCERIA_STORE_CLIENT_H

#include "db.h"
#include "page.h"
#include "principal.h"

#include <stdbool.h>

struct client {
    char client_id[65];
    char name[401];
    char role[16];
    char registrar_id[37]; /* empty for admin and staff clients */
    bool active;           /* else revoked */
    char created_by[256];
    char created_at[32];
    char updated_at[32];
    char status_changed_at[32];
    char last_used_at[32]; /* empty when never used */
};

/* What the token endpoint needs to check a secret. */
struct credential {
    bool found;
    bool active;
    char role[16];
    char registrar_id[37];
    char secret_hash[65];
    long long expires_at; /* access keys: unix time, 0 for none */
};

/* A client to insert (all lent; registrar_id NULL for admin and staff). */
struct client_new {
    const char *client_id, *name, *role, *registrar_id, *secret_hash, *created_by;
};
enum status store_client_insert(PGconn *conn, const struct client_new *c,
                                struct client *out) WARN_UNUSED;
/* How many active clients a registrar has. */
enum status store_client_count_active(PGconn *conn, const char *registrar_id,
                                      int *count) WARN_UNUSED;
/* Whether an active admin client exists. */
enum status store_client_has_active_admin(PGconn *conn, bool *found) WARN_UNUSED;
/* Inserts the bootstrap admin client, or re-activates it with this secret
 * when it exists as an admin client; *written when a row changed. */
enum status store_client_bootstrap(PGconn *conn, const char *client_id, const char *secret_hash,
                                   bool *written) WARN_UNUSED;
/* Revokes an active client (registrar_id: only that registrar's); *changed
 * when it was active. */
enum status store_client_set_revoked(PGconn *conn, const char *client_id, const char *registrar_id,
                                     bool *changed) WARN_UNUSED;
/* Whether the client exists (registrar_id: as that registrar's). */
enum status store_client_exists(PGconn *conn, const char *client_id, const char *registrar_id,
                                bool *found) WARN_UNUSED;
/* The list's sort keys, and its filters' positions in page_query.filters. */
#define STORE_CLIENT_SORTS 1
extern const struct page_sort store_client_sorts[STORE_CLIENT_SORTS];
enum {
    STORE_CLIENT_ROLE, /* JSON arrays of strings */
    STORE_CLIENT_STATUS,
    STORE_CLIENT_REGISTRAR, /* a registrar id (from the path): only its clients */
};
/* A page of clients (rows: struct client). */
enum status store_client_list(PGconn *conn, const struct page_query *q,
                              struct page_result *out) WARN_UNUSED;
/* Revokes every active client of a registrar; *ids (a new NULL-terminated
 * array of new strings) names them. */
enum status store_client_revoke_registrar(PGconn *conn, const char *registrar_id, char ***ids,
                                          int *count) WARN_UNUSED;
/* Looks up an API client's credential by client id. */
enum status store_client_credential(PGconn *conn, const char *client_id,
                                    struct credential *out) WARN_UNUSED;
/* Looks up an access key by the application's or entry's id. */
enum status store_client_key_credential(PGconn *conn, const char *subject_id,
                                        struct credential *out) WARN_UNUSED;
/* Notes a successful use of a client. */
enum status store_client_touch(PGconn *conn, const char *client_id) WARN_UNUSED;
/* The credential behind a token of ours: its access key's subject (*key
 * true: an applicant's or teacher's) or its API client's id. Lent from who. */
const char *store_client_credential_of(const struct principal *who, bool *key);
/* Sets the check that the client or access key behind a token of ours
 * still stands as conn's guard (db_guard): it travels with the request's
 * next statement, and refuses (ST_REVOKED) when it exists and was revoked
 * (or its registrar terminated). */
void store_client_credential_guard(PGconn *conn, const struct principal *who);

/* Stores a new access key for an application or entry (role "applicant" or
 * "teacher"), replacing any earlier one. expires_at may be NULL. Inside a
 * transaction, held back to travel with the next statement (db_exec_later). */
enum status store_client_key_put(PGconn *conn, const char *subject_id, const char *role,
                                 const char *key_hash, const char *expires_at) WARN_UNUSED;
/* Sets an access key to expire seconds from now (0: at once). */
enum status store_client_key_expire_in(PGconn *conn, const char *subject_id,
                                       int seconds) WARN_UNUSED;
/* Revokes an access key at once. */
enum status store_client_key_revoke(PGconn *conn, const char *subject_id) WARN_UNUSED;

#endif
