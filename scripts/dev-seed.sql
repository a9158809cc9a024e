-- Local data for scripts/run (never for tests or deployments): a few
-- accredited registrars, one open application, their programs (two in 3em1,
-- one of them in 3em1 Comércio, one waiting for approval), this year's
-- co-branding call, two 3em1 Comércio vouchers and a Sitestar.pt edition
-- taking entries, so a new user sees something real at once. Applied only to
-- an empty private database.
BEGIN;
INSERT INTO registrars (handle, legal_name, trade_name, country, nif, tax_key, website, address, contacts)
VALUES
 ('lisboa-dominios', 'Lisboa Domínios, Lda.', 'Lisboa Domínios', 'PT', '503504564', 'PT503504564',
  'https://lisboa-dominios.example.pt',
  '{"street": "Avenida da Liberdade 110", "postal_code": "1250-146", "city": "Lisboa", "country": "PT"}',
  '[{"type": "admin", "name": "Ana Silva", "email": "ana@lisboa-dominios.example.pt", "phone": "+351213456789"},
    {"type": "technical", "name": "Rui Costa", "email": "rui@lisboa-dominios.example.pt", "phone": "+351213456780"},
    {"type": "security", "name": "Equipa SOC", "email": "soc@lisboa-dominios.example.pt", "phone": "+351213456781"}]'),
 ('porto-digital', 'Porto Digital, S.A.', 'Porto Digital', 'PT', '500100144', 'PT500100144',
  'https://porto-digital.example.pt',
  '{"street": "Rua de Santa Catarina 200", "postal_code": "4000-443", "city": "Porto", "country": "PT"}',
  '[{"type": "admin", "name": "Joana Pereira", "email": "joana@porto-digital.example.pt", "phone": "+351223456789"},
    {"type": "technical", "name": "Miguel Sousa", "email": "miguel@porto-digital.example.pt", "phone": "+351223456780"},
    {"type": "security", "name": "CSIRT Porto Digital", "email": "csirt@porto-digital.example.pt", "phone": "+351223456781"}]'),
 ('coimbra-web', 'Coimbra Web Unipessoal, Lda.', 'Coimbra Web', 'PT', '514225645', 'PT514225645',
  'https://coimbra-web.example.pt',
  '{"street": "Rua Ferreira Borges 50", "postal_code": "3000-180", "city": "Coimbra", "country": "PT"}',
  '[{"type": "admin", "name": "Carla Nunes", "email": "carla@coimbra-web.example.pt", "phone": "+351239456789"},
    {"type": "technical", "name": "Pedro Alves", "email": "pedro@coimbra-web.example.pt", "phone": "+351239456780"},
    {"type": "security", "name": "Pedro Alves", "email": "security@coimbra-web.example.pt", "phone": "+351239456780"}]');

INSERT INTO accreditation_applications (tax_id, document, contact_email)
VALUES ('PT509876544',
 '{"legal_name": "Braga Hosting, Lda.", "trade_name": "Braga Hosting", "nif": "509876544", "country": "PT",
   "address": {"street": "Avenida Central 30", "postal_code": "4710-229", "city": "Braga", "country": "PT"},
   "website": "https://braga-hosting.example.pt",
   "contacts": [{"type": "admin", "name": "Sofia Marques", "email": "sofia@braga-hosting.example.pt", "phone": "+351253456789"},
                {"type": "technical", "name": "Tiago Lopes", "email": "tiago@braga-hosting.example.pt", "phone": "+351253456780"},
                {"type": "security", "name": "Tiago Lopes", "email": "soc@braga-hosting.example.pt", "phone": "+351253456780"}],
   "accepted_terms_version": "2026-01", "requested_programs": ["3em1"]}',
 'sofia@braga-hosting.example.pt');

INSERT INTO enrollments (program_code, registrar_id, status, accepted_terms_version)
SELECT p, r.id, st, '1'
FROM (VALUES ('3em1', 'lisboa-dominios', 'active'), ('3em1', 'porto-digital', 'active'),
             ('3em1-comercio', 'porto-digital', 'active'), ('3em1', 'coimbra-web', 'pending')) AS v(p, h, st)
JOIN registrars r ON r.handle = v.h;

INSERT INTO programs (code, kind, year, name, description, status, enrollment_opens_at,
                      enrollment_closes_at, terms_version, capacity)
VALUES ('co-branding-2027', 'call', 2027,
        '{"pt": "Campanha co-branding 2027", "en": "Co-branding campaign 2027"}',
        '{"pt": "Programa conjunto de divulgação do .pt com os registrars: candidaturas abertas no início do ano.", "en": "A joint campaign for .pt with registrars: applications open at the start of the year."}',
        'open', now() - interval '1 day', now() + interval '90 days', '2027-01', 20);

-- Codes with their Luhn mod 30 check symbol (DOMAIN.md section 4).
INSERT INTO vouchers (code, program_code, beneficiary, expires_at, batch_id)
VALUES ('5CJJPX5Y9YNNKY', '3em1-comercio',
        '{"type": "business", "name": "Mercearia da Sé", "email": "mercearia@example.pt"}',
        now() + interval '1 year', '00000000-0000-4000-a000-000000000002'),
       ('FVMKWSTTHTTMGJ', '3em1-comercio',
        '{"type": "business", "name": "Sapataria Central", "email": "sapataria@example.pt"}',
        now() + interval '1 year', '00000000-0000-4000-a000-000000000002');

INSERT INTO programs (code, kind, year, name, status, benefit_months, terms_version)
VALUES ('sitestar-2027', 'contest', 2027, '{"pt": "Sitestar.pt 2027", "en": "Sitestar.pt 2027"}',
        'open', 12, '1');
INSERT INTO sitestar_editions (year, program_code, submissions_open_at, submissions_close_at)
VALUES (2027, 'sitestar-2027', now() - interval '1 day', now() + interval '120 days');

-- The year's events (DOMAIN.md section 6): the Encontro, the summit stand for
-- 3em1 registrars, CENTR Registrar Day (its two places are drawn), training.
INSERT INTO events (kind, title, description, location, starts_at, ends_at, capacity,
                    registration_opens_at, registration_closes_at, eligibility,
                    max_attendees_per_registrar, waitlist, status)
VALUES ('registrar_meeting', 'Encontro de Registrars 2027',
        'O encontro anual do .PT com os seus registrars: novidades, programas e o sorteio dos lugares no CENTR Registrar Day.',
        'Lisboa, sede do .PT', now() + interval '30 days', now() + interval '30 days 8 hours', 120,
        now() - interval '1 day', now() + interval '25 days', 'accredited', 3, true, 'published'),
       ('summit', 'Portugal Digital Summit 2027: o stand do .PT', NULL,
        'Centro de Congressos de Lisboa', now() + interval '60 days', now() + interval '61 days', 20,
        now() - interval '1 day', now() + interval '45 days', '3em1', 2, true, 'published'),
       ('centr_registrar_day', 'CENTR Registrar Day 2027', NULL, 'Bruxelas',
        now() + interval '90 days', now() + interval '90 days 8 hours', NULL, NULL, NULL,
        'accredited', 2, false, 'published'),
       ('training', 'Formação: DNSSEC na prática', NULL, 'Online', now() + interval '14 days',
        now() + interval '14 days 3 hours', 30, now() - interval '1 day', now() + interval '13 days',
        'accredited', 2, false, 'published');
COMMIT;
