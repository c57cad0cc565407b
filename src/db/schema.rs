// The one schema for both backends. Kept by hand because `diesel print-schema`
// reads SQLite's INTEGER PRIMARY KEY as Integer; the test `schema_matches_database`
// compares this file with the migrated database on both backends.

diesel::table! {
    forums (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        event_date -> Date,
        description -> Text,
        organiser -> Text,
        contact_email -> Text,
        contact_phone -> Nullable<Text>,
        stream_url -> Nullable<Text>,
        privacy_notice -> Text,
        privacy_version -> Text,
        registration_opens_at -> Nullable<Timestamp>,
        registration_closes_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        imprint -> Nullable<Text>,
        accessibility_statement -> Nullable<Text>,
        accessibility_contact -> Nullable<Text>,
        title_en -> Nullable<Text>,
        description_en -> Nullable<Text>,
        organiser_en -> Nullable<Text>,
        privacy_notice_en -> Nullable<Text>,
        imprint_en -> Nullable<Text>,
        accessibility_statement_en -> Nullable<Text>,
        sign_language_url -> Nullable<Text>,
    }
}

diesel::table! {
    sites (id) {
        id -> BigInt,
        forum_id -> BigInt,
        slug -> Text,
        kind -> Text,
        name -> Text,
        city -> Nullable<Text>,
        venue -> Nullable<Text>,
        address -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        focus -> Text,
        capacity -> Nullable<Integer>,
        confirmed_count -> Integer,
        sort_order -> Integer,
        name_en -> Nullable<Text>,
        focus_en -> Nullable<Text>,
    }
}

diesel::table! {
    registrations (id) {
        id -> BigInt,
        forum_id -> BigInt,
        site_id -> BigInt,
        status -> Text,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        email_key -> Text,
        organisation -> Text,
        sector -> Text,
        position -> Nullable<Text>,
        accessibility_needs -> Nullable<Text>,
        locale -> Text,
        consent_version -> Text,
        consent_at -> Timestamp,
        manage_token -> Text,
        checkin_code -> Text,
        stream_token -> Text,
        waitlisted_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        stream_joined_at -> Nullable<Timestamp>,
        reminder_queued_at -> Nullable<Timestamp>,
        calendar_sequence -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        checked_in_at -> Nullable<Timestamp>,
        checked_in_by -> Nullable<BigInt>,
        anonymised_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        registration_id -> Nullable<BigInt>,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        attachment_name -> Nullable<Text>,
        attachment_type -> Nullable<Text>,
        attachment_body -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        checkin_qr -> Nullable<Text>,
    }
}

diesel::table! {
    organisers (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organiser_sessions (id) {
        id -> BigInt,
        token -> Text,
        organiser_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        throttle_key -> Text,
        failed_at -> Timestamp,
    }
}

diesel::joinable!(sites -> forums (forum_id));
diesel::joinable!(organiser_sessions -> organisers (organiser_id));
diesel::joinable!(registrations -> sites (site_id));
diesel::joinable!(registrations -> forums (forum_id));
diesel::joinable!(outbox -> registrations (registration_id));

diesel::allow_tables_to_appear_in_same_query!(
    forums,
    sites,
    registrations,
    outbox,
    organisers,
    organiser_sessions,
    login_failures,
);
