-- migration: 007_label_import_authority
-- A dataset marked as an authority's (OFAC, NBCTF, or marked at import) is replaced only by a file of
-- the same format with a plausible size (src/services/labels.ts).
ALTER TABLE label_imports ADD COLUMN authority BOOLEAN DEFAULT false;
UPDATE label_imports SET authority = true WHERE format IN ('ofac-sdn', 'nbctf');
