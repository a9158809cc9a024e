/* The cursor: base64url (no padding) of the JSON array [sort index, value,
 * id]. A cursor made for another sort is refused rather than misread. */
#include "page.h"

#include "util.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

bool page_sort_parse(const char *s, const struct page_sort *sorts, size_t nsorts,
                     struct page_req *out)
{
    bool desc = s[0] == '-';
    const char *name = desc ? s + 1 : s;
    for (size_t i = 0; i < nsorts; i++)
        if (strcmp(sorts[i].name, name) == 0) {
            out->sort = &sorts[i];
            out->sort_index = (int)i;
            out->descending = desc;
            return true;
        }
    return false;
}

char *page_cursor_encode(const struct page_req *page, const char *value, const char *id)
{
    json_t *a = json_pack("[i, s?, s]", page->sort_index, value, id);
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    size_t len = strlen(text);
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)text, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(text);
    return out;
}

bool page_cursor_decode(const char *cursor, struct page_req *page)
{
    size_t clen = strlen(cursor), len = 0;
    if (clen == 0 || clen > 2048)
        return false;
    unsigned char *buf = xmalloc(clen);
    bool ok = sodium_base642bin(buf, clen, cursor, clen, NULL, &len, NULL,
                                sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
    json_t *a = ok ? json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(buf);
    json_t *col = json_array_get(a, 0), *val = json_array_get(a, 1), *id = json_array_get(a, 2);
    ok = json_is_array(a) && json_array_size(a) == 3 && json_is_integer(col) &&
         json_integer_value(col) == page->sort_index &&
         (json_is_string(val) || json_is_null(val)) && json_is_string(id) &&
         json_string_length(id) <= 64;
    if (ok) {
        page->after_value = json_is_string(val) ? xstrdup(json_string_value(val)) : NULL;
        page->after_id = xstrdup(json_string_value(id));
    }
    json_decref(a);
    return ok;
}

void page_req_cleanup(struct page_req *page)
{
    free(page->after_value);
    free(page->after_id);
    free(page->updated_since);
    page->after_value = page->after_id = page->updated_since = NULL;
}

void page_query_cleanup(struct page_query *q)
{
    page_req_cleanup(&q->page);
    for (size_t i = 0; i < PAGE_MAX_FILTERS; i++) {
        free(q->filters[i]);
        q->filters[i] = NULL;
    }
}
