/* The notices table. Event types are "<resource>.<past participle>"; the
 * email templates are those DOMAIN.md section 7 lists for the areas that
 * exist. Pure. */
#include "notice.h"

#include <string.h>

const struct notice notice_table[] = {
    {"accreditation_application", "create", NULL, "application.received", "application-received"},
    {"accreditation_application", "start-review", NULL, "application.review_started", NULL},
    {"accreditation_application", "request-changes", NULL, "application.changes_requested", NULL},
    {"accreditation_application", "resubmit", NULL, "application.resubmitted", NULL},
    {"accreditation_application", "approve", NULL, "application.approved", "application-decided"},
    {"accreditation_application", "reject", NULL, "application.rejected", "application-decided"},
    {"accreditation_application", "withdraw", NULL, "application.withdrawn", NULL},
    {"registrar", "create", NULL, "registrar.accredited", NULL},
    {"registrar", "edit", NULL, "registrar.updated", NULL},
    {"registrar", "suspend", NULL, "registrar.suspended", NULL},
    {"registrar", "reinstate", NULL, "registrar.reinstated", NULL},
    {"registrar", "terminate", NULL, "registrar.terminated", NULL},
    {"program", "open", NULL, "program.opened", NULL},
    {"program", "close", NULL, "program.closed", NULL},
    {"enrollment", "enroll", NULL, "enrollment.created", NULL},
    {"enrollment", "approve", NULL, "enrollment.approved", "enrollment-decided"},
    {"enrollment", "reject", NULL, "enrollment.rejected", "enrollment-decided"},
    {"enrollment", "suspend", NULL, "enrollment.suspended", NULL},
    {"enrollment", "reinstate", NULL, "enrollment.reinstated", NULL},
    {"enrollment", "withdraw", NULL, "enrollment.withdrawn", NULL},
    {"voucher", "issue", NULL, "voucher.issued", "voucher-issued"},
    {"voucher", "redeem", NULL, "voucher.redeemed", "voucher-redeemed"},
    {"voucher", "revoke", NULL, "voucher.revoked", NULL},
    {"event", "publish", NULL, "event.published", NULL},
    {"event", "edit", NULL, "event.updated", NULL},
    {"event", "cancel", NULL, "event.cancelled", NULL},
    {"event", "close", NULL, "event.closed", NULL},
    {"registration", "register", "confirmed", "registration.confirmed", "registration-confirmed"},
    {"registration", "register", "waitlisted", "registration.waitlisted", NULL},
    {"registration", "promote", NULL, "registration.promoted", "registration-promoted"},
    {"registration", "edit", NULL, "registration.updated", NULL},
    {"registration", "cancel", NULL, "registration.cancelled", NULL},
    {"registration", "check-in", NULL, "registration.attended", NULL},
    {"registration", "cover", NULL, "registration.covered", NULL},
    {"draw", "create", NULL, "draw.committed", NULL},
    {"draw", "freeze", NULL, "draw.frozen", NULL},
    {"draw", "run", NULL, "draw.drawn", "draw-results"},
    {"draw", "decline", NULL, "draw.declined", NULL},
    {"sitestar_entry", "submit", NULL, "sitestar_entry.submitted", NULL},
    {"sitestar_edition", "select", NULL, "sitestar_edition.selected", NULL},
    /* trust: the Conselho Consultivo (a ballot is audited, never an event) */
    {"council_term", "open-nominations", NULL, "council_term.nominations_opened", NULL},
    {"council_term", "open-voting", NULL, "council_term.voting_opened", NULL},
    {"council_term", "close", NULL, "council_term.closed", NULL},
    {"council_nomination", "create", NULL, "council_nomination.submitted", NULL},
    {"council_nomination", "accept", NULL, "council_nomination.accepted", NULL},
    {"council_nomination", "reject", NULL, "council_nomination.rejected", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct notice *notice_find(const char *resource_type, const char *action,
                                 const char *to_status)
{
    for (const struct notice *n = notice_table; resource_type && action && n->resource_type; n++)
        if (strcmp(n->resource_type, resource_type) == 0 && strcmp(n->action, action) == 0 &&
            (n->to_status == NULL || (to_status != NULL && strcmp(n->to_status, to_status) == 0)))
            return n;
    return NULL;
}

bool notice_event_known(const char *name)
{
    for (const struct notice *n = notice_table; name && n->resource_type; n++)
        if (strcmp(n->event, name) == 0)
            return true;
    return false;
}
