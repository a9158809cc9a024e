-- Local data for scripts/run (never for tests or deployments): a few
-- accredited registrars and one open application, so a new user sees
-- something real at once. Applied only to an empty private database.
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
COMMIT;
