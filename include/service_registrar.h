/* Registrars' use cases: the kind whose actions (suspend, reinstate,
 * terminate) and edits the generic runner takes, and the directory. */
#ifndef PARCERIA_SERVICE_REGISTRAR_H
#define PARCERIA_SERVICE_REGISTRAR_H

#include "registrar.h"
#include "service.h"

extern const struct service_kind service_registrar_kind;

#endif
