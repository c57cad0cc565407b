ALTER TABLE sites DROP COLUMN focus_en;
ALTER TABLE sites DROP COLUMN name_en;
ALTER TABLE forums DROP COLUMN accessibility_statement_en;
ALTER TABLE forums DROP COLUMN imprint_en;
ALTER TABLE forums DROP COLUMN privacy_notice_en;
ALTER TABLE forums DROP COLUMN organiser_en;
ALTER TABLE forums DROP COLUMN description_en;
ALTER TABLE forums DROP COLUMN title_en;
