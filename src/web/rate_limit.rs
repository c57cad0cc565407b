//! Per-client limits on the public forms and the login, so a script cannot flood the
//! registration or guess passwords. Counted per instance in memory (a fixed window per
//! client address and form); with several instances the effective limit is per instance.

use crate::config::Settings;
use actix_web::HttpRequest;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Which door a request knocks on; each has its own budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Door {
    Register,
    ResendLink,
    Login,
}

pub struct RateLimiter {
    per_window: u32,
    window: Duration,
    trusted_proxies: Vec<IpAddr>,
    windows: Mutex<HashMap<(Door, IpAddr), (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(settings: &Settings) -> RateLimiter {
        RateLimiter {
            per_window: settings.rate_limit_per_minute,
            window: settings.rate_limit_window,
            trusted_proxies: settings.trusted_proxies.clone(),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The client's address: the peer, or — only when the peer is a trusted proxy —
    /// the nearest address in `X-Forwarded-For` that is not a trusted proxy itself.
    pub fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        forwarded
            .split(',')
            .rev()
            .filter_map(|part| part.trim().parse::<IpAddr>().ok())
            .find(|ip| !self.trusted_proxies.contains(ip))
            .or(Some(peer))
    }

    /// Counts the request; `Err(wait)` when the client is over its budget.
    pub fn check(&self, door: Door, req: &HttpRequest) -> Result<(), Duration> {
        if self.per_window == 0 {
            return Ok(());
        }
        let Some(address) = self.client_address(req) else {
            return Ok(());
        };
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 50_000 {
            // Forget finished windows so the map cannot grow without bound.
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = windows.entry((door, address)).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_window {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.max(Duration::from_secs(1)));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Seconds for a `Retry-After` header, rounded up.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}
