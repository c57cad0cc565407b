//! Load benchmark for `POST /api/v1/registrations`: N requests from C concurrent
//! clients, each with its own e-mail address, against a running forumreg.
//!
//!   cargo run --release --example load -- --url http://127.0.0.1:8080 \
//!       --site bench --concurrency 64 --requests 20000
//!
//! Prints throughput and latency percentiles of the successful requests and a count of
//! every status. `scripts/bench.sh` starts a server on each backend and runs this.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

struct Options {
    url: String,
    site: String,
    concurrency: usize,
    requests: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        url: "http://127.0.0.1:8080".into(),
        site: "bench".into(),
        concurrency: 64,
        requests: 10_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--url" => options.url = value.trim_end_matches('/').to_string(),
            "--site" => options.site = value,
            "--concurrency" => {
                options.concurrency = value.parse().map_err(|_| "bad --concurrency")?
            }
            "--requests" => options.requests = value.parse().map_err(|_| "bad --requests")?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if options.concurrency == 0 || options.requests == 0 {
        return Err("--concurrency and --requests must be positive".into());
    }
    Ok(options)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[actix_web::main]
async fn main() {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .connector(awc::Connector::new().limit(options.concurrency))
        .finish();
    let run_id = std::process::id();
    let next = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let started = Instant::now();
    let workers = (0..options.concurrency).map(|_| {
        let (client, next, url, site) = (
            client.clone(),
            next.clone(),
            options.url.clone(),
            options.site.clone(),
        );
        let total = options.requests;
        async move {
            let mut latencies = Vec::new();
            let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
            loop {
                let i = next.get();
                if i >= total {
                    break;
                }
                next.set(i + 1);
                let body = serde_json::json!({
                    "site": site,
                    "first_name": "Lasttest",
                    "last_name": "Teilnehmerin",
                    "email": format!("load-{run_id}-{i}@example.org"),
                    "organisation": "Benchmark GmbH",
                    "sector": "company",
                    "privacy_consent": true,
                });
                let sent = Instant::now();
                let outcome = client
                    .post(format!("{url}/api/v1/registrations"))
                    .send_json(&body)
                    .await;
                let key = match outcome {
                    Ok(mut response) => {
                        let _ = response.body().await;
                        if response.status().as_u16() == 201 {
                            latencies.push(sent.elapsed());
                        }
                        response.status().as_u16().to_string()
                    }
                    Err(e) => format!("error: {e}"),
                };
                *statuses.entry(key).or_default() += 1;
            }
            (latencies, statuses)
        }
    });
    let results = futures_util::future::join_all(workers).await;
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for (l, s) in results {
        latencies.extend(l);
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
    }
    latencies.sort();
    let ok = latencies.len();
    println!(
        "requests:     {} in {:.2} s, concurrency {}",
        options.requests,
        elapsed.as_secs_f64(),
        options.concurrency
    );
    println!("statuses:     {statuses:?}");
    println!(
        "throughput:   {:.0} registrations/s",
        ok as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency (201): p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 50.0).as_secs_f64() * 1e3,
        percentile(&latencies, 90.0).as_secs_f64() * 1e3,
        percentile(&latencies, 99.0).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    if ok != options.requests {
        std::process::exit(1);
    }
}
