-- When personal data of the registration was removed (retention period over, or the
-- participant deleted it). Counts per site, group and status stay.
ALTER TABLE registrations ADD COLUMN anonymised_at TIMESTAMP;
