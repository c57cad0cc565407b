//! forumreg: registration for a one-day forum held at several sites at once.
//!
//! `domain` holds the rules, `db` the SQL, `booking` the use cases that change seats,
//! `mail` the outbox and its worker, `web` the HTTP layer; `startup` wires them up.

pub mod accounts;
pub mod booking;
pub mod config;
pub mod db;
pub mod domain;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod qr;
pub mod startup;
pub mod telemetry;
pub mod web;
