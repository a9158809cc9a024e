/* The shared field tables of fields.h. */
#include "fields.h"

#include "validate.h"

static const char *const contact_types[] = {"admin",    "technical", "billing",
                                            "security", "abuse",     NULL};

const struct field fields_address[] = {
    {.name = "street", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 200},
    {.name = "postal_code",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 12,
     .valid = validate_postal_code_any,
     .code = ERR_POSTAL_CODE},
    {.name = "city", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 100},
    {.name = "country",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 2,
     .valid = validate_country,
     .code = ERR_COUNTRY},
    {0},
};

const struct field fields_contact[] = {
    {.name = "type", .type = FIELD_ENUM, .flags = FIELD_REQUIRED, .values = contact_types},
    {.name = "name", .type = FIELD_STRING, .flags = FIELD_REQUIRED, .min = 1, .max = 100},
    {.name = "email",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 254,
     .valid = validate_email,
     .code = ERR_EMAIL},
    {.name = "phone",
     .type = FIELD_STRING,
     .flags = FIELD_REQUIRED,
     .max = 16,
     .valid = validate_phone,
     .code = ERR_PHONE},
    {0},
};
