-- bench/run's data: 300 accredited registrars (id 00000000-0000-4000-8000-
-- and N in 12 digits), each with an API client (client_id bench-reg-N), and
-- 2,000 accreditation applications, and each registrar's enrollment in 3em1
-- (id 00000000-0000-4000-9000- and N; active for two registrars in three,
-- pending for the third), so the directory's program=3em1 finds 200. NIFs come
-- from bench_nif(k), a permutation of the eight-digit bases with the mod-11
-- check digit; bench/post.lua uses k from 100000 up, so no POST collides.
-- And 120 published events for the public list, 200 published news items
-- (one for each of the first 200 registrars) and 100 open SIGA proposals
-- (id 00000000-0000-4000-a000- and N; bench/registrar.lua votes for the first).
BEGIN;
CREATE FUNCTION pg_temp.bench_nif(k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT b || CASE WHEN 11 - s % 11 >= 10 THEN 0 ELSE 11 - s % 11 END
    FROM (SELECT b, (SELECT sum(substr(b, i, 1)::int * (10 - i)) FROM generate_series(1, 8) i) s
          FROM (SELECT (10000000 + (k * 7654321 + 12345) % 90000000)::text b) x) y
$$;
CREATE FUNCTION pg_temp.bench_nif_ok(n text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT n ~ '^([12356]|45|7[01245789]|9[0189])'
$$;
CREATE TEMP TABLE bench_nifs AS
    SELECT row_number() OVER (ORDER BY k) AS n, nif
    FROM (SELECT k, pg_temp.bench_nif(k) nif FROM generate_series(0, 9999) k) g
    WHERE pg_temp.bench_nif_ok(nif);

INSERT INTO registrars (id, handle, legal_name, trade_name, country, nif, tax_key, website, address, contacts)
SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'bench-' || n, 'Registo ' || n || ', Lda.', 'Registo ' || n, 'PT', nif, 'PT' || nif,
       'https://registo-' || n || '.example.pt',
       jsonb_build_object('street', 'Rua Augusta ' || n, 'postal_code', '1100-053', 'city', 'Lisboa', 'country', 'PT'),
       jsonb_build_array(
         jsonb_build_object('type', 'admin', 'name', 'Ana Silva', 'email', 'ana@registo-' || n || '.example.pt', 'phone', '+351213456789'),
         jsonb_build_object('type', 'technical', 'name', 'Rui Costa', 'email', 'rui@registo-' || n || '.example.pt', 'phone', '+351213456780'),
         jsonb_build_object('type', 'security', 'name', 'Equipa SOC', 'email', 'soc@registo-' || n || '.example.pt', 'phone', '+351213456781'))
FROM bench_nifs WHERE n <= 300;

INSERT INTO api_clients (client_id, name, role, registrar_id, secret_hash, created_by)
SELECT 'bench-reg-' || substr(handle, 7), 'bench client', 'registrar', id, repeat('ab', 32), 'bench'
FROM registrars WHERE handle LIKE 'bench-%';

INSERT INTO accreditation_applications (status, tax_id, document, contact_email)
SELECT CASE WHEN n % 10 = 0 THEN 'rejected' WHEN n % 5 = 0 THEN 'under_review' ELSE 'submitted' END,
       'PT' || nif,
       jsonb_build_object('legal_name', 'Candidato ' || n || ', Lda.', 'trade_name', 'Candidato ' || n,
         'nif', nif, 'country', 'PT',
         'address', jsonb_build_object('street', 'Avenida Central ' || n, 'postal_code', '4710-229', 'city', 'Braga', 'country', 'PT'),
         'website', 'https://candidato-' || n || '.example.pt',
         'contacts', jsonb_build_array(
           jsonb_build_object('type', 'admin', 'name', 'Sofia Marques', 'email', 'admin' || n || '@candidato.example.pt', 'phone', '+351253456789'),
           jsonb_build_object('type', 'technical', 'name', 'Tiago Lopes', 'email', 'tiago' || n || '@candidato.example.pt', 'phone', '+351253456780'),
           jsonb_build_object('type', 'security', 'name', 'Tiago Lopes', 'email', 'soc' || n || '@candidato.example.pt', 'phone', '+351253456780')),
         'accepted_terms_version', '2026-01'),
       'admin' || n || '@candidato.example.pt'
FROM bench_nifs WHERE n > 300 AND n <= 2300;
INSERT INTO enrollments (id, program_code, registrar_id, status, accepted_terms_version)
SELECT ('00000000-0000-4000-9000-' || substr(id::text, 25))::uuid, '3em1', id,
       CASE WHEN substr(handle, 7)::int % 3 = 0 THEN 'pending' ELSE 'active' END, '1'
FROM registrars WHERE handle LIKE 'bench-%';
-- A year of .PT's events: 120 published (the public list's first page is 50).
INSERT INTO events (kind, title, location, starts_at, ends_at, capacity, eligibility, waitlist, status)
SELECT (ARRAY['training', 'conference', 'registrar_meeting', 'summit'])[1 + n % 4],
       'Evento ' || n, 'Lisboa', now() + n * interval '3 days', now() + n * interval '3 days' + interval '4 hours',
       50 + n, CASE WHEN n % 4 = 3 THEN '3em1' ELSE 'accredited' END, n % 2 = 0, 'published'
FROM generate_series(1, 120) n;
COMMIT;
INSERT INTO news_items (registrar_id, title, summary, body, channels, status, published_at)
SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'Notícia ' || n,
       'Resumo da notícia ' || n, 'Texto da notícia ' || n || E'.\nSegunda linha.',
       ARRAY['site', 'newsletter'], 'published', now() - make_interval(hours => n)
FROM generate_series(1, 200) n;
INSERT INTO siga_proposals (id, title, description, area, author_registrar_id)
SELECT ('00000000-0000-4000-a000-' || lpad(n::text, 12, '0'))::uuid, 'Proposta ' || n,
       'Descrição da proposta ' || n, (ARRAY['domains', 'dns', 'reports', 'api'])[n % 4 + 1],
       ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid
FROM generate_series(1, 100) n;
ANALYZE registrars, api_clients, accreditation_applications, enrollments, events, news_items,
    siga_proposals;
