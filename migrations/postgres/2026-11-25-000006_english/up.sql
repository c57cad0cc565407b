-- English versions of the forum's own texts, from the `[en]` table of the forum file.
-- NULL: no translation; English pages then show the German text, marked lang="de".
ALTER TABLE forums ADD COLUMN title_en TEXT;
ALTER TABLE forums ADD COLUMN description_en TEXT;
ALTER TABLE forums ADD COLUMN organiser_en TEXT;
ALTER TABLE forums ADD COLUMN privacy_notice_en TEXT;
ALTER TABLE forums ADD COLUMN imprint_en TEXT;
ALTER TABLE forums ADD COLUMN accessibility_statement_en TEXT;
-- BITV 2.0 § 4: a video in German Sign Language explaining the site, linked from the
-- easy-language page.
ALTER TABLE forums ADD COLUMN sign_language_url TEXT;
ALTER TABLE sites ADD COLUMN name_en TEXT;
ALTER TABLE sites ADD COLUMN focus_en TEXT;
