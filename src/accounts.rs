//! Organiser accounts: roles, password hashing (argon2id), login with throttling, and
//! sessions. Blocking (hashing is deliberately slow): call from a blocking thread.

use crate::db::organisers::Organiser;
use crate::db::{self, DbConnection};
use crate::domain::Token;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, NaiveDateTime};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything in the organiser area.
    Admin,
    /// Checking people in, nothing else.
    Checkin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Checkin => "checkin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "admin" => Some(Role::Admin),
            "checkin" => Some(Role::Checkin),
            _ => None,
        }
    }
}

/// A password good enough to protect personal data of 170 people.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;

    pub fn parse(raw: &str) -> Result<NewPassword, String> {
        let raw = raw.trim_end_matches(['\r', '\n']);
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!(
                "the password needs at least {} characters",
                Self::MIN_CHARS
            ));
        }
        if chars > 1024 {
            return Err("the password is longer than 1024 characters".into());
        }
        Ok(NewPassword(raw.to_string()))
    }
}

/// Organiser e-mail addresses compare case-insensitively.
pub fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

pub fn hash_password(password: &NewPassword) -> anyhow::Result<String> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("no randomness for the salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| anyhow::anyhow!("encoding the salt failed: {e}"))?;
    Argon2::default()
        .hash_password(password.0.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a wrong address
/// takes as long as a wrong password and reveals nothing.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let password = NewPassword(Token::generate().into_string());
        hash_password(&password).unwrap_or_default()
    })
}

/// Creates the account or resets its password and role. Returns true when created.
pub fn add_organiser(
    conn: &mut DbConnection,
    email: &str,
    password: &NewPassword,
    role: Role,
    now: NaiveDateTime,
) -> anyhow::Result<bool> {
    let email = normalise_email(email);
    if !email.contains('@') {
        anyhow::bail!("{email:?} is not an e-mail address");
    }
    let hash = hash_password(password)?;
    Ok(db::organisers::upsert(
        conn,
        &email,
        &hash,
        role.code(),
        now,
    )?)
}

/// What the database stores of a session token: its BLAKE2b-256 hash, so that a copy
/// of the database does not hand out live sessions. Tokens are 128 random bits, so a
/// fast hash suffices (no password stretching needed).
pub fn session_key(token: &str) -> String {
    use blake2::digest::{Digest, consts::U32};
    let digest = blake2::Blake2b::<U32>::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Failed logins allowed per account, and per client address, within the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
pub const SESSION_HOURS: i64 = 12;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("too many failed logins")]
    Throttled { retry_after: Duration },
    #[error("wrong e-mail address or password")]
    Invalid,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for LoginError {
    fn from(e: diesel::result::Error) -> Self {
        LoginError::Unexpected(anyhow::Error::new(e).context("login"))
    }
}

pub struct LoggedIn {
    pub organiser: Organiser,
    pub session_token: String,
    pub expires_at: NaiveDateTime,
}

/// Checks the password and opens a session. After too many failures for the account or
/// from the client address, refuses without looking at the password.
pub fn login(
    conn: &mut DbConnection,
    email: &str,
    password: &str,
    client_address: &str,
    now: NaiveDateTime,
) -> Result<LoggedIn, LoginError> {
    let email = normalise_email(email);
    let account_key = format!("account:{email}");
    let address_key = format!("address:{client_address}");
    let window_start = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    if db::organisers::login_failures_since(conn, &account_key, window_start)?
        >= MAX_FAILURES_PER_ACCOUNT
        || db::organisers::login_failures_since(conn, &address_key, window_start)?
            >= MAX_FAILURES_PER_ADDRESS
    {
        return Err(LoginError::Throttled {
            retry_after: Duration::minutes(THROTTLE_WINDOW_MINUTES),
        });
    }
    let organiser = db::organisers::find_by_email(conn, &email)?;
    let valid = match &organiser {
        Some(o) => verify_password(&o.password_hash, password),
        None => {
            verify_password(dummy_hash(), password);
            false
        }
    };
    let Some(organiser) = organiser.filter(|_| valid) else {
        db::organisers::record_login_failure(conn, &account_key, now)?;
        db::organisers::record_login_failure(conn, &address_key, now)?;
        return Err(LoginError::Invalid);
    };
    db::organisers::clear_login_failures(conn, &account_key)?;
    db::organisers::delete_expired_sessions(conn, now)?;
    db::organisers::delete_login_failures_before(conn, window_start)?;
    let session_token = Token::generate().into_string();
    let expires_at = now + Duration::hours(SESSION_HOURS);
    db::organisers::create_session(
        conn,
        organiser.id,
        &session_key(&session_token),
        Token::generate().as_str(),
        now,
        expires_at,
    )?;
    Ok(LoggedIn {
        organiser,
        session_token,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let password = NewPassword::parse("korrekt-pferd-batterie").expect("long enough");
        let hash = hash_password(&password).expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "korrekt-pferd-batterie"));
        assert!(!verify_password(&hash, "Korrekt-pferd-batterie"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn session_keys_are_stable_hashes() {
        let key = session_key("0123456789abcdef0123456789abcdef");
        assert_eq!(key.len(), 64);
        assert_eq!(key, session_key("0123456789abcdef0123456789abcdef"));
        assert_ne!(key, session_key("0123456789abcdef0123456789abcdee"));
        assert!(!key.contains("0123456789abcdef0123456789abcdef"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(NewPassword::parse("kurz").is_err());
        assert!(NewPassword::parse("genau-12-ZCH").is_ok());
        assert_eq!(Role::from_code("checkin"), Some(Role::Checkin));
        assert_eq!(Role::from_code("root"), None);
    }
}
