/* Atom feeds (RFC 4287) for the registrars' news: one <feed> with an
 * <entry> per item. Every text and attribute value is XML-escaped (&, <, >,
 * quotes), and what XML 1.0 cannot carry is dropped: C0 controls but TAB
 * and LF, C1 controls, U+FFFE and U+FFFF, and bytes that are not UTF-8. A
 * CR is written as a character reference, so it survives parsing. Pure:
 * builds a string, knows nothing of HTTP. */
#ifndef PARCERIA_ATOM_H
#define PARCERIA_ATOM_H

#include "status.h"

#include <stdbool.h>
#include <stddef.h>

/* A feed being written: atom_begin, atom_entry for each entry, atom_end.
 * Caller-owned; its fields are the builder's. */
struct atom {
    char *buf;
    size_t len, cap;
};

/* The feed's own elements: id (an IRI, such as a URN), title, updated
 * (RFC 3339), self (its own URL) and lang (xml:lang); all required. */
struct atom_feed {
    const char *id, *title, *updated, *self, *lang;
};

/* One entry: id, title, updated and author are required; published,
 * summary, content (text) and link (rel="alternate") may be NULL (their
 * element is left out); categories are ncategories terms. Times are RFC
 * 3339 text. */
struct atom_entry {
    const char *id, *title, *updated, *published, *summary, *content, *author, *link;
    const char *const *categories;
    size_t ncategories;
};

/* Starts the feed: the XML declaration, <feed> and the feed's elements.
 * False, and nothing written, when a member is NULL. */
bool atom_begin(struct atom *a, const struct atom_feed *f) WARN_UNUSED;
/* Appends e. False, and nothing appended, when a required member is NULL
 * or a time is not RFC 3339. */
bool atom_entry(struct atom *a, const struct atom_entry *e) WARN_UNUSED;
/* Ends the feed (</feed>). Returns the text, NUL-terminated, and its length
 * in *len (when len is not NULL); the caller frees it. a is left empty. */
char *atom_end(struct atom *a, size_t *len);
/* Frees a feed abandoned before atom_end (harmless after it). */
void atom_cleanup(struct atom *a);

/* text escaped for XML character data and attribute values (see above).
 * Returns a new string the caller frees. */
char *atom_escape(const char *text);
/* Whether s is RFC 3339 date-time text ("2026-10-14T09:00:00Z", a fraction
 * and a numeric offset allowed). */
bool atom_time_valid(const char *s);

#endif
