-- The text of a mail's check-in QR code; the worker draws it as an inline PNG when it
-- sends the mail (drawing takes longer than the rest of a registration).
ALTER TABLE outbox ADD COLUMN checkin_qr TEXT;
