/* Incident reports: the status machine (tabled in incident.h), the
 * acknowledgement deadlines, TLP:RED's confidentiality and the affected
 * names. Pure. */
#include "incident.h"

#include "machine.h"
#include "role.h"

#include <stdlib.h>
#include <string.h>

#define STAFF (ROLE_STAFF | ROLE_ADMIN)
#define B(s) MACHINE_BIT(INCIDENT_##s)

static const char *const states[INCIDENT_STATUS_COUNT] = {
    [INCIDENT_REPORTED] = "reported",
    [INCIDENT_ACKNOWLEDGED] = "acknowledged",
    [INCIDENT_INVESTIGATING] = "investigating",
    [INCIDENT_RESOLVED] = "resolved",
    [INCIDENT_CLOSED] = "closed",
};

static const struct machine_action actions[INCIDENT_ACTION_COUNT] = {
    [INCIDENT_ACT_ACKNOWLEDGE] = {"acknowledge", STAFF, B(REPORTED), INCIDENT_ACKNOWLEDGED, false,
                                  0},
    [INCIDENT_ACT_INVESTIGATE] = {"investigate", STAFF, B(ACKNOWLEDGED), INCIDENT_INVESTIGATING,
                                  false, 0},
    [INCIDENT_ACT_RESOLVE] = {"resolve", STAFF, B(INVESTIGATING), INCIDENT_RESOLVED, false, 0},
    [INCIDENT_ACT_CLOSE] = {"close", STAFF, B(RESOLVED), INCIDENT_CLOSED, false, 0},
    [INCIDENT_ACT_EDIT] = {"edit", STAFF | ROLE_REGISTRAR,
                           B(REPORTED) | B(ACKNOWLEDGED) | B(INVESTIGATING) | B(RESOLVED),
                           MACHINE_SAME, false, 0},
};

const struct machine incident_machine = {states, INCIDENT_STATUS_COUNT, actions,
                                         INCIDENT_ACTION_COUNT};

const char *const incident_category_names[] = {
    "phishing", "malware", "ddos", "data_breach", "compromised_account", "other", NULL,
};
const char *const incident_severity_names[] = {"low", "medium", "high", "critical", NULL};
const char *const incident_tlp_names[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL};

void incident_row_cleanup(struct incident_row *row)
{
    free(row->description);
    json_decref(row->affected_domains);
    row->description = NULL;
    row->affected_domains = NULL;
}

const char *incident_status_name(enum incident_status status)
{
    return (unsigned)status < INCIDENT_STATUS_COUNT ? states[status] : NULL;
}

bool incident_status_parse(const char *name, enum incident_status *out)
{
    int i = machine_state(&incident_machine, name);
    if (i >= 0)
        *out = (enum incident_status)i;
    return i >= 0;
}

int incident_acknowledge_hours(const char *severity)
{
    static const int hours[] = {72, 24, 4, 1}; /* in incident_severity_names' order */
    for (size_t i = 0; severity != NULL && incident_severity_names[i] != NULL; i++)
        if (strcmp(severity, incident_severity_names[i]) == 0)
            return hours[i];
    return 0;
}

bool incident_confidential_tlp(const char *tlp)
{
    return tlp != NULL && strcmp(tlp, "RED") == 0;
}

unsigned incident_ruled_out_for(enum incident_status status, unsigned role)
{
    return role == ROLE_REGISTRAR && status != INCIDENT_REPORTED ? MACHINE_BIT(INCIDENT_ACT_EDIT)
                                                                 : 0;
}

json_t *incident_domains_normalize(const json_t *names, size_t *bad, enum error_code *why)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(names, i, v)
    {
        struct pt_domain d;
        *why = ERR_NONE;
        if (!pt_domain_parse(json_string_value(v), &d, why)) {
            if (*why == ERR_NONE)
                *why = ERR_PT_DOMAIN;
        } else {
            size_t j;
            const json_t *seen;
            json_array_foreach(out, j, seen) if (strcmp(json_string_value(seen), d.ascii) ==
                                                 0) *why = ERR_REPEATED;
            if (*why == ERR_NONE)
                json_array_append_new(out, json_string(d.ascii));
        }
        if (*why != ERR_NONE) {
            *bad = i;
            json_decref(out);
            return NULL;
        }
    }
    return out;
}
