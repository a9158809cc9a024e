/* RFC 7396 JSON Merge Patch (merge.h). */
#include "merge.h"

void merge_patch(json_t *target, const json_t *patch)
{
    if (target == patch) { /* removing members while walking them: work from a copy */
        json_t *copy = json_deep_copy(patch);
        merge_patch(target, copy);
        json_decref(copy);
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)patch, key, value)
    {
        json_t *current = json_object_get(target, key);
        if (json_is_null(value))
            json_object_del(target, key);
        else if (json_is_object(value) && json_is_object(current))
            merge_patch(current, value);
        else if (json_is_object(value)) {
            json_t *fresh = json_object(); /* patching a non-object starts from {} */
            merge_patch(fresh, value);
            json_object_set_new(target, key, fresh);
        } else {
            json_object_set(target, key, value);
        }
    }
}
