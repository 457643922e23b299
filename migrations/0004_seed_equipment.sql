-- Starter equipment data: the device categories a clinical engineering department tracks and the
-- manufacturers most BMETs meet. Slugs follow slugify() in @bmet/contracts (lower case, runs of
-- anything but letters and digits become one dash). Runs once per database.
INSERT INTO "device_categories" ("slug", "name") VALUES
  ('infusion-pump', 'Infusion pump'),
  ('patient-monitor', 'Patient monitor'),
  ('defibrillator', 'Defibrillator'),
  ('ventilator', 'Ventilator'),
  ('electrosurgical-unit', 'Electrosurgical unit (ESU)'),
  ('imaging', 'Imaging'),
  ('anesthesia-machine', 'Anesthesia machine'),
  ('ultrasound', 'Ultrasound'),
  ('ecg', 'ECG / EKG'),
  ('sterilizer', 'Sterilizer'),
  ('lab-analyzer', 'Lab analyzer'),
  ('dialysis', 'Dialysis'),
  ('surgical-table-and-lights', 'Surgical table and lights'),
  ('endoscopy', 'Endoscopy'),
  ('test-equipment', 'Test equipment'),
  ('other', 'Other')
ON CONFLICT ("slug") DO NOTHING;
--> statement-breakpoint
INSERT INTO "manufacturers" ("slug", "name") VALUES
  ('philips', 'Philips'),
  ('ge-healthcare', 'GE HealthCare'),
  ('medtronic', 'Medtronic'),
  ('bd', 'BD'),
  ('baxter', 'Baxter'),
  ('b-braun', 'B. Braun'),
  ('drager', 'Dräger'),
  ('mindray', 'Mindray'),
  ('nihon-kohden', 'Nihon Kohden'),
  ('zoll', 'ZOLL'),
  ('stryker', 'Stryker'),
  ('siemens-healthineers', 'Siemens Healthineers'),
  ('hamilton-medical', 'Hamilton Medical'),
  ('icu-medical', 'ICU Medical'),
  ('fresenius-kabi', 'Fresenius Kabi'),
  ('masimo', 'Masimo'),
  ('hillrom', 'Hillrom'),
  ('welch-allyn', 'Welch Allyn'),
  ('olympus', 'Olympus'),
  ('karl-storz', 'Karl Storz'),
  ('getinge', 'Getinge'),
  ('spacelabs-healthcare', 'Spacelabs Healthcare'),
  ('canon-medical', 'Canon Medical'),
  ('fujifilm', 'Fujifilm'),
  ('steris', 'STERIS'),
  ('fluke-biomedical', 'Fluke Biomedical'),
  ('smiths-medical', 'Smiths Medical'),
  ('edwards-lifesciences', 'Edwards Lifesciences'),
  ('natus', 'Natus'),
  ('vyaire', 'Vyaire')
ON CONFLICT ("slug") DO NOTHING;
