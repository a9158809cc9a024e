/* Role names, in one place. */
#include "principal.h"

#include <string.h>

static const struct {
    unsigned role;
    const char *name;
} roles[] = {
    {ROLE_ADMIN, "admin"},         {ROLE_STAFF, "staff"},     {ROLE_REGISTRAR, "registrar"},
    {ROLE_APPLICANT, "applicant"}, {ROLE_TEACHER, "teacher"},
};

const char *principal_role_name(unsigned role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == role)
            return roles[i].name;
    return NULL;
}

unsigned principal_role_from(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].role;
    return 0;
}

bool principal_is_staff(const struct principal *who)
{
    return who->role == ROLE_STAFF || who->role == ROLE_ADMIN;
}
