-- parceria: contract
-- Release N+1's contract migration in tests/http/test_rolling_deploy.py,
-- compiled into build/parceria-next only (meson.build): it drops what 9000
-- added and N+1 no longer uses, so N+1 serves before and after it. `parceria
-- migrate` stops before it; `parceria migrate --contract` applies it once
-- release N is gone (docs/operations.md, "Migrations in a deployment").
SET LOCAL lock_timeout = '5s';

DROP TABLE next_release_probes;
