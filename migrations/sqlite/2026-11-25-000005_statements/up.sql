-- Texts for the imprint and the accessibility statement (BITV 2.0), from the forum file.
ALTER TABLE forums ADD COLUMN imprint TEXT;
ALTER TABLE forums ADD COLUMN accessibility_statement TEXT;
ALTER TABLE forums ADD COLUMN accessibility_contact TEXT;
