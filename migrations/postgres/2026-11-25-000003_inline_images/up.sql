-- The check-in QR code of a mail as a base64 PNG, sent inline (Content-ID checkin-qr).
ALTER TABLE outbox ADD COLUMN inline_png TEXT;
