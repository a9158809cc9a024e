/* Logging through yder to standard error, as text or one JSON object a line.
 * yder has no locking of its own: the callback here serialises writes. */
#ifndef PARCERIA_LOG_H
#define PARCERIA_LOG_H

#include "config.h"

#include <stdint.h>

void log_init(unsigned long level, enum config_log_format format);
void log_close(void);

/* One line per request. route is the template (never the concrete path). */
void log_request(const char *method, const char *route, int status, uint64_t duration_us,
                 const char *request_id);

#endif
