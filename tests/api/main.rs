//! Black-box tests: the real app over HTTP, real databases (SQLite and PostgreSQL,
//! each test on a fresh one), a real SMTP server. Every scenario runs on both backends.

mod helpers;

mod abuse;
mod bad_input;
mod browser;
mod capacity;
mod forum;
mod html_validity;
mod instances;
mod languages;
mod lifecycle;
mod mail_delivery;
mod operations;
mod organiser;
mod pages;
mod privacy;
mod register_api;
mod register_form;
mod schema;
mod webdriver;
