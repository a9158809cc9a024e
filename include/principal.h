/* Who is calling: the roles and the verified identity a token carries.
 * Shared by the HTTP layer, the token code and the domain rules. */
#ifndef PARCERIA_PRINCIPAL_H
#define PARCERIA_PRINCIPAL_H

#include "role.h"

#include <stdbool.h>

/* A verified caller. role is one enum api_role bit, or 0 for an anonymous
 * caller. Strings are empty when the claim is absent. */
struct principal {
    unsigned role;
    bool ours;     /* issued by this service (so revocable by client id) */
    char iss[256]; /* the issuer that signed the token */
    char sub[256];
    char registrar_id[40];
    char application_id[40];
    char entry_id[40];
    long long expires_at;
};

/* "admin", "staff"… for a role bit; NULL for anything else. */
const char *principal_role_name(unsigned role);
/* The role bit for a name, or 0. */
unsigned principal_role_from(const char *name);
/* True when the caller is staff or admin (admin may do whatever staff may). */
bool principal_is_staff(const struct principal *who);

#endif
