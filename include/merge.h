/* RFC 7396 JSON Merge Patch. Pure. */
#ifndef PARCERIA_MERGE_H
#define PARCERIA_MERGE_H

#include <jansson.h>

/* Applies an RFC 7396 JSON Merge Patch to target in place: null members
 * are removed, objects merge recursively, anything else replaces. */
void merge_patch(json_t *target, const json_t *patch);

#endif
