-- Seed the boards every new forum starts with: one general board and one per role tag.
-- A migration runs exactly once per database, so boards an admin later renames or archives
-- are never recreated.
INSERT INTO "boards" ("slug", "name", "description", "role_tag", "position") VALUES
  ('general', 'General', 'Introductions, news, careers, standards and everything that does not fit a role board.', NULL, 0),
  ('bmet', 'BMET Bench & Field Service', 'Biomedical equipment technicians: troubleshooting, repairs, PMs, parts, test equipment and service manuals.', 'BMET', 1),
  ('ce', 'Clinical Engineering', 'Clinical engineers: equipment planning, risk management, recalls, alarms, cybersecurity and regulatory compliance.', 'CE', 2),
  ('bme', 'Biomedical Engineering', 'Biomedical engineers: device design, integration, signal processing, testing and research.', 'BME', 3)
ON CONFLICT ("slug") DO NOTHING;
