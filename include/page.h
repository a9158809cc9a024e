/* Keyset pagination's request and cursor, shared by the HTTP layer (which
 * reads them from the query) and the store (which turns them into SQL): one
 * sort table per resource names each public sort key and the SQL that
 * serves it. Pure: no I/O. */
#ifndef PARCERIA_PAGE_H
#define PARCERIA_PAGE_H

#include <stdbool.h>
#include <stddef.h>

/* A sortable key: its public name and the fixed SQL fragments that serve it.
 * Tables are defined next to the store's SQL and read by the list spec. */
struct page_sort {
    const char *name;   /* the public field name: created_at, handle, … */
    const char *expr;   /* the table column it binds to, e.g. "created_at" */
    const char *cast;   /* how the cursor value is cast back, e.g. "::timestamptz", or "" */
    const char *render; /* the SQL that renders a row's value for the cursor */
};

struct page_req {
    int limit;
    bool include_total;
    const struct page_sort *sort; /* lent, from the resource's table */
    int sort_index;               /* its index in that table (kept in the cursor) */
    bool descending;
    char *after_value; /* from the cursor: last row's sort value, or NULL */
    char *after_id;    /* from the cursor: last row's id, or NULL */
    char *updated_since;
};

#define PAGE_DEFAULT_LIMIT 50
#define PAGE_MAX_LIMIT 200

#define PAGE_MAX_FILTERS 8

/* A list request as the service and the store see it: the page, and the
 * filters of the resource's list spec by position (new strings: a JSON
 * array's text for a multi-value filter, the value itself otherwise; NULL
 * when absent). full is true when the caller sees whole records (staff, or
 * the owner), false for the public face. */
struct page_query {
    struct page_req page;
    char *filters[PAGE_MAX_FILTERS];
    bool full;
};

/* A page of rows: an array of count row structs (owned), the next cursor
 * (new string or NULL), and the total when asked for. */
struct page_result {
    void *rows;
    int count;
    char *next;
    long long total;
};

void page_query_cleanup(struct page_query *q);

/* Picks the sort named s ("-name" for descending) from sorts. */
bool page_sort_parse(const char *s, const struct page_sort *sorts, size_t nsorts,
                     struct page_req *out);
/* Encodes the cursor for the row (sort value, id). Returns a new string. */
char *page_cursor_encode(const struct page_req *page, const char *value, const char *id);
/* Reads a cursor made for the same sort into page's after_value/after_id. */
bool page_cursor_decode(const char *cursor, struct page_req *page);
void page_req_cleanup(struct page_req *page);

#endif
