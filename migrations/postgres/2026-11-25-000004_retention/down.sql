ALTER TABLE registrations DROP COLUMN anonymised_at;
