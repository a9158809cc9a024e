/* Data-subject requests: their kinds and machine (data_request.h). Pure. */
#include "data_request.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define B(s) MACHINE_BIT(DATA_REQUEST_##s)

static const char *const kinds[DATA_REQUEST_KIND_COUNT] = {
    [DATA_REQUEST_ACCESS] = "access",
    [DATA_REQUEST_ERASURE] = "erasure",
    [DATA_REQUEST_RECTIFICATION] = "rectification",
};

static const char *const states[DATA_REQUEST_STATUS_COUNT] = {
    [DATA_REQUEST_OPEN] = "open",
    [DATA_REQUEST_FULFILLED] = "fulfilled",
    [DATA_REQUEST_REJECTED] = "rejected",
};

static const struct machine_action actions[DATA_REQUEST_ACTION_COUNT] = {
    [DATA_REQUEST_ACT_EXTEND] = {"extend", STAFF, B(OPEN), MACHINE_SAME, false,
                                 DATA_REQUEST_EFFECT_EXTEND},
    [DATA_REQUEST_ACT_FULFIL] = {"fulfil", STAFF, B(OPEN), DATA_REQUEST_FULFILLED, false,
                                 DATA_REQUEST_EFFECT_ERASE},
    [DATA_REQUEST_ACT_REJECT] = {"reject", STAFF, B(OPEN), DATA_REQUEST_REJECTED, true, 0},
};

const struct machine data_request_machine = {states, DATA_REQUEST_STATUS_COUNT, actions,
                                             DATA_REQUEST_ACTION_COUNT};

void data_request_row_cleanup(struct data_request_row *row)
{
    free(row->extension_reason);
    free(row->reason);
    json_decref(row->report);
    row->extension_reason = row->reason = NULL;
    row->report = NULL;
}

const char *data_request_kind_name(enum data_request_kind kind)
{
    return (unsigned)kind < DATA_REQUEST_KIND_COUNT ? kinds[kind] : NULL;
}

bool data_request_kind_parse(const char *name, enum data_request_kind *out)
{
    for (size_t i = 0; name != NULL && i < DATA_REQUEST_KIND_COUNT; i++)
        if (strcmp(kinds[i], name) == 0) {
            *out = (enum data_request_kind)i;
            return true;
        }
    return false;
}

bool data_request_kind_valid(const char *name)
{
    enum data_request_kind k;
    return data_request_kind_parse(name, &k);
}

const char *data_request_status_name(enum data_request_status status)
{
    return (unsigned)status < DATA_REQUEST_STATUS_COUNT ? states[status] : NULL;
}

bool data_request_status_parse(const char *name, enum data_request_status *out)
{
    int i = machine_state(&data_request_machine, name);
    if (i >= 0)
        *out = (enum data_request_status)i;
    return i >= 0;
}

unsigned data_request_ruled_out(const struct data_request_row *row)
{
    return row->extended ? MACHINE_BIT(DATA_REQUEST_ACT_EXTEND) : 0u;
}
