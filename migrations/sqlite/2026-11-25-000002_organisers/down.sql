ALTER TABLE registrations DROP COLUMN checked_in_by;
ALTER TABLE registrations DROP COLUMN checked_in_at;
DROP TABLE login_failures;
DROP TABLE organiser_sessions;
DROP TABLE organisers;
