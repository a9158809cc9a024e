/* Registrars' use cases: the kind whose actions (suspend, reinstate,
 * terminate) and edits the generic runner takes, and the directory. */
#ifndef PARCERIA_SERVICE_REGISTRAR_H
#define PARCERIA_SERVICE_REGISTRAR_H

#include "registrar.h"
#include "service.h"
#include "store_state.h"

extern const struct service_kind service_registrar_kind;

/* The directory's version in state (read by a flight, store_state.h): it
 * changes with every committed change to a registrar, through any replica,
 * so a page read at it is current while it holds. */
long long service_registrar_directory_version(const struct store_state *state);

#endif
