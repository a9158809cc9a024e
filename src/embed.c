/* Lookup over the assets compiled into the binary. */
#include "embed.h"

#include <string.h>

const struct embed_file *embed_asset(const char *name)
{
    for (const struct embed_file *f = embed_assets; f->name != NULL; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}
