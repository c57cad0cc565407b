DROP TABLE outbox;
DROP TABLE registrations;
DROP TABLE sites;
DROP TABLE forums;
