/* Fragments shared by the store's SQL: timestamps as RFC 3339 UTC text. */
#ifndef PARCERIA_STORE_SQL_H
#define PARCERIA_STORE_SQL_H

#define SQL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Microsecond precision, for cursors. */
#define SQL_TS_US(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif
