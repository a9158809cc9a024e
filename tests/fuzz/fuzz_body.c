/* Request bodies: bytes through json_loadb as body_read reads them, then the
 * field table of an accreditation application (nested address object, array
 * of contact objects, the real check_* hooks: api/applications.c's own table), the cross-field
 * rules, and a merge patch onto a copy of itself and onto a valid stored document. */
#include "fuzz.h"

#include "application.h"
#include "body.h"
#include "handlers.h"
#include "merge.h"
#include "role.h"
#include "schema.h"
#include "validate.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

/* The field kinds the application table lacks: an integer range, a boolean,
 * a UUID, a timestamp and a staff-only field (as in registrars.c). */
static const struct field extra_fields[] = {
    {.name = "employees", .type = FIELD_INTEGER, .flags = FIELD_NULLABLE, .min = 1, .max = 100000},
    {.name = "public", .type = FIELD_BOOLEAN},
    {.name = "registrar_id", .type = FIELD_UUID, .flags = FIELD_NULLABLE},
    {.name = "decided_at", .type = FIELD_TIMESTAMP, .flags = FIELD_NULLABLE},
    {.name = "note", .type = FIELD_STRING, .max = 500, .writers = ROLE_STAFF | ROLE_ADMIN},
    {0},
};

static const char stored[] =
    "{\"legal_name\":\"Lisboa Domínios, Lda.\",\"trade_name\":\"Lisboa Domínios\","
    "\"nif\":\"503004642\",\"country\":\"PT\",\"address\":{\"street\":\"Rua Augusta 1\","
    "\"postal_code\":\"1100-048\",\"city\":\"Lisboa\",\"country\":\"PT\"},"
    "\"website\":\"https://lisboa-dominios.pt\",\"contacts\":[{\"type\":\"admin\","
    "\"name\":\"Ana\",\"email\":\"ana@lisboa-dominios.pt\",\"phone\":\"+351912345678\"}],"
    "\"accepted_terms_version\":\"2026-01\"}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    util_install_allocators();
    json_object_seed(1); /* not random: the same inputs on every run */
    return sodium_init() < 0;
}

/* The whole-document rules, as api/applications.c's document_valid runs them. */
static void check_document(const json_t *doc, enum schema_mode mode, unsigned role)
{
    json_t *errors = json_array();
    schema_validate(doc, extra_fields, mode, role, role != 0, errors);
    json_array_clear(errors);
    if (schema_validate(doc, api_application_fields, mode, role, role != 0, errors) &&
        mode == SCHEMA_CREATE) {
        struct field_issue issues[APPLICATION_MAX_ISSUES];
        size_t n = application_check(doc, issues, APPLICATION_MAX_ISSUES);
        if (n > APPLICATION_MAX_ISSUES)
            abort();
        struct application a; /* and the document survives the trip through the struct */
        application_from_json(doc, &a);
        application_normalise(&a);
        free(application_tax_id(&a));
        free(application_admin_email(&a));
        json_decref(application_to_json(&a));
        application_cleanup(&a);
    }
    json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return 0;
    }
    check_document(doc, SCHEMA_CREATE, 0);
    check_document(doc, SCHEMA_PATCH, ROLE_APPLICANT);
    check_document(doc, SCHEMA_PATCH, ROLE_STAFF);

    json_t *copy = json_deep_copy(doc); /* target and patch are never the same object */
    merge_patch(copy, doc);
    json_decref(copy);

    json_t *merged = json_loads(stored, 0, NULL);
    merge_patch(merged, doc);
    check_document(merged, SCHEMA_CREATE, 0);
    json_decref(merged);
    json_decref(doc);
    return 0;
}
