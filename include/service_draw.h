/* Draws' use cases: the kind whose actions (freeze, run, decline) the
 * generic runner takes, and creating one. run's and decline's bodies reach
 * the effects as their extra (a JSON object: seed and public_entropy; the
 * registrar_id staff name). */
#ifndef PARCERIA_SERVICE_DRAW_H
#define PARCERIA_SERVICE_DRAW_H

#include "draw.h"
#include "service.h"

extern const struct service_kind service_draw_kind;

/* Creates d (committed) with its audit event. The source event must be a
 * registrar_meeting and the target a centr_registrar_day (else ST_INVALID
 * naming the field: unknown_event, event_kind); a second draw of one
 * source event is ST_CONFLICT. */
enum status service_draw_create(const struct service_call *call, const struct draw_row *d,
                                struct draw_row *out, struct service_outcome *outcome) WARN_UNUSED;

#endif
