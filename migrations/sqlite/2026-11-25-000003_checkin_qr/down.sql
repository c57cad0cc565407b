ALTER TABLE outbox DROP COLUMN checkin_qr;
