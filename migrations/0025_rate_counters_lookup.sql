-- A public submission's counters are read by their primary key (bucket,
-- window_start), two at a time (issue 9). The btree on window_start alone
-- misled the planner once the current window held thousands of rows and the
-- statistics still described the previous ones: it scanned the window's
-- rows and filtered them by bucket (bench/run: 9,752 rows and 386 buffers
-- for two lookups, 45 % of PostgreSQL's time on POST
-- /v1/accreditation-applications). The hourly sweep (window_start older
-- than two days) reads a BRIN index instead: rows arrive in window order,
-- and BRIN is never the cheaper path to one row. Dropping an index changes
-- no result the previous release reads, so this migration expands.
-- parceria: expand
DROP INDEX rate_counters_window;
CREATE INDEX rate_counters_window_brin ON rate_counters USING brin (window_start);
