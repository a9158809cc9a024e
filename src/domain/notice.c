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
    /* community: news */
    {"news_item", "submit", NULL, "news_item.submitted", NULL},
    {"news_item", "edit", NULL, "news_item.updated", NULL},
    {"news_item", "publish", NULL, "news_item.published", NULL},
    {"news_item", "reject", NULL, "news_item.rejected", NULL},
    {"news_item", "request-changes", NULL, "news_item.changes_requested", NULL},
    {"news_item", "resubmit", NULL, "news_item.resubmitted", NULL},
    {"news_item", "archive", NULL, "news_item.archived", NULL},
    /* community: SIGA proposals */
    {"siga_proposal", "create", NULL, "siga_proposal.created", NULL},
    {"siga_proposal", "edit", NULL, "siga_proposal.updated", NULL},
    {"siga_proposal", "consider", NULL, "siga_proposal.considered", NULL},
    {"siga_proposal", "plan", NULL, "siga_proposal.planned", NULL},
    {"siga_proposal", "complete", NULL, "siga_proposal.completed", NULL},
    {"siga_proposal", "decline", NULL, "siga_proposal.declined", NULL},
    {"siga_proposal", "vote", NULL, "siga_proposal.voted", NULL},
    {"siga_proposal", "unvote", NULL, "siga_proposal.vote_withdrawn", NULL},
    {"siga_comment", "create", NULL, "siga_comment.created", NULL},
    {"siga_comment", "edit", NULL, "siga_comment.edited", NULL},
    {"siga_comment", "hide", NULL, "siga_comment.hidden", NULL},
    /* community: contacts */
    {"contact_mailbox", "create", NULL, "contact_mailbox.created", NULL},
    {"contact_mailbox", "edit", NULL, "contact_mailbox.updated", NULL},
    {"contact_request", "create", NULL, "contact_request.created", "contact-request"},
    {"contact_request", "answer", NULL, "contact_request.answered", NULL},
    {"contact_request", "close", NULL, "contact_request.closed", NULL},
    /* community: survey */
    {"survey", "open", NULL, "survey.opened", NULL},
    {"survey", "edit", NULL, "survey.updated", NULL},
    {"survey", "close", NULL, "survey.closed", NULL},
    {"survey", "publish", NULL, "survey.published", NULL},
    /* community: newsletter */
    {"newsletter_issue", "create", NULL, "newsletter_issue.planned", NULL},
    {"newsletter_issue", "edit", NULL, "newsletter_issue.updated", NULL},
    {"newsletter_issue", "publish", NULL, "newsletter_issue.published", "newsletter-issue"},
    {"newsletter_suggestion", "submit", NULL, "newsletter_suggestion.submitted", NULL},
    {"newsletter_suggestion", "accept", NULL, "newsletter_suggestion.accepted", NULL},
    {"newsletter_suggestion", "decline", NULL, "newsletter_suggestion.declined", NULL},
    {"newsletter_suggestion", "use", NULL, "newsletter_suggestion.used", NULL},
    {"newsletter_subscription", "subscribe", NULL, "newsletter_subscription.requested",
     "newsletter-confirm"},
    {"newsletter_subscription", "confirm", NULL, "newsletter_subscription.confirmed", NULL},
    {"newsletter_subscription", "unsubscribe", NULL, "newsletter_subscription.unsubscribed", NULL},
    /* trust: agreements */
    {"agreement", "create", NULL, "agreement.created", NULL},
    {"agreement", "accept", NULL, "agreement.accepted", NULL},
    /* trust: incidents (a TLP:RED incident's changes are confidential: none leaves) */
    {"incident", "report", NULL, "incident.reported", NULL},
    {"incident", "edit", NULL, "incident.updated", NULL},
    {"incident", "acknowledge", NULL, "incident.acknowledged", "incident-acknowledged"},
    {"incident", "investigate", NULL, "incident.investigating", NULL},
    {"incident", "resolve", NULL, "incident.resolved", NULL},
    {"incident", "close", NULL, "incident.closed", NULL},
    {"incident", "post-update", NULL, "incident.update_posted", NULL},
    /* trust: the Conselho Consultivo (a ballot is audited, never an event) */
    {"council_term", "open-nominations", NULL, "council_term.nominations_opened", NULL},
    {"council_term", "open-voting", NULL, "council_term.voting_opened", NULL},
    {"council_term", "close", NULL, "council_term.closed", NULL},
    {"council_nomination", "create", NULL, "council_nomination.submitted", NULL},
    {"council_nomination", "accept", NULL, "council_nomination.accepted", NULL},
    {"council_nomination", "reject", NULL, "council_nomination.rejected", NULL},
    /* trust: PTSOC security contacts */
    {"security_contact_check", "start", NULL, "security_contact_check.started", NULL},
    {"security_contact_check", "finish", NULL, "security_contact_check.finished", NULL},
    {"security_contact_verification", "send", NULL, "security_contact.check_sent",
     "security-contact-check"},
    {"security_contact_verification", "remind", NULL, "security_contact.reminded",
     "security-contact-check"},
    {"security_contact_verification", "verify", NULL, "security_contact.verified", NULL},
    {"security_contact_verification", "expire", NULL, "security_contact.unreachable", NULL},
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
