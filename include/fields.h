/* Field tables more than one resource shares: a postal address and a
 * contact. */
#ifndef PARCERIA_FIELDS_H
#define PARCERIA_FIELDS_H

#include "schema.h"

/* street, postal_code, city, country. */
extern const struct field fields_address[];
/* type, name, email, phone. */
extern const struct field fields_contact[];

#endif
