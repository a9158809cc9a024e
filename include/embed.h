/* Files compiled into the binary by tools/embed.py: the migrations, the
 * OpenAPI document and the /docs page with its assets, the email templates. Each array ends with
 * an entry whose name is NULL. */
#ifndef PARCERIA_EMBED_H
#define PARCERIA_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name;
    const char *data; /* NUL-terminated */
    size_t size;
};

extern const struct embed_file embed_migrations[];
extern const struct embed_file embed_assets[];
/* templates/mail/: "<name>.txt" and optional "<name>.html" (mail.c). */
extern const struct embed_file embed_mail_templates[];

/* The asset called name, or NULL. */
const struct embed_file *embed_asset(const char *name);

#endif
