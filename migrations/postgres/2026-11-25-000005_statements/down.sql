ALTER TABLE forums DROP COLUMN accessibility_contact;
ALTER TABLE forums DROP COLUMN accessibility_statement;
ALTER TABLE forums DROP COLUMN imprint;
