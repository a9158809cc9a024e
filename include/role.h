/* The caller roles a token carries, as bits so a route or a state-machine
 * action lists who may call it. Its own header so that src/domain/ can name
 * roles without including api.h and, through it, ulfius. */
#ifndef PARCERIA_ROLE_H
#define PARCERIA_ROLE_H

enum api_role {
    ROLE_ADMIN = 1u << 0,
    ROLE_STAFF = 1u << 1,
    ROLE_REGISTRAR = 1u << 2,
    ROLE_APPLICANT = 1u << 3,
    ROLE_TEACHER = 1u << 4,
};
#define ROLE_PUBLIC 0u /* no token needed */
/* Roles some route serves: a token with any other role is refused (401). */
#define ROLE_SERVED (ROLE_ADMIN | ROLE_STAFF | ROLE_REGISTRAR | ROLE_APPLICANT | ROLE_TEACHER)
#define ROLE_ANY_TOKEN (ROLE_ADMIN | ROLE_STAFF | ROLE_REGISTRAR | ROLE_APPLICANT | ROLE_TEACHER)

#endif
