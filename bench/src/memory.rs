//! The memory benchmark: 1,000,000 live challenges (distinct sessions and
//! phones, so each brings its phone record) in
//! the in-memory store; bytes of RSS per challenge, and RSS after expiry.

use otp_server::clock::system_now;
use otp_server::store::memory::MemoryStore;
use otp_server::store::{Challenge, ChallengeStore, Sending};
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Serialize)]
pub struct MemoryReport {
    pub challenges: usize,
    pub rss_before_mb: f64,
    pub rss_filled_mb: f64,
    pub rss_after_expiry_mb: f64,
    pub bytes_per_challenge: f64,
    pub after_expiry_vs_before: f64,
    pub fill_seconds: f64,
    /// The same count of challenges all of one phone, in a new store: what
    /// a challenge costs without its phone's record.
    pub bytes_per_challenge_alone: f64,
}

fn rss_kb() -> u64 {
    crate::procs::procs_status_kb("/proc/self/status", "VmRSS:")
}

pub async fn run(count: usize) -> anyhow::Result<MemoryReport> {
    // No cap: the benchmark measures what a million challenges cost.
    let store = MemoryStore::with_clock(
        std::sync::Arc::new(otp_server::clock::SystemClock),
        usize::MAX,
    );
    let lifetime = Duration::from_secs(5);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kb();
    let started = Instant::now();
    fill(&store, count, lifetime, true).await?;
    let fill_seconds = started.elapsed().as_secs_f64();
    let filled = rss_kb();
    // Each challenge of a new phone brings the phone's record along.
    assert_eq!(store.len(), 2 * count);
    tokio::time::sleep(lifetime + Duration::from_secs(3)).await;
    let after = rss_kb();
    let left = store.len();
    drop(store);
    let alone = {
        let store = MemoryStore::with_clock(
            std::sync::Arc::new(otp_server::clock::SystemClock),
            usize::MAX,
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = rss_kb();
        fill(&store, count, lifetime, false).await?;
        assert_eq!(store.len(), count + 1);
        (rss_kb().saturating_sub(before) * 1024) as f64 / count as f64
    };
    let report = MemoryReport {
        challenges: count,
        rss_before_mb: before as f64 / 1024.0,
        rss_filled_mb: filled as f64 / 1024.0,
        rss_after_expiry_mb: after as f64 / 1024.0,
        bytes_per_challenge: (filled.saturating_sub(before) * 1024) as f64 / count as f64,
        after_expiry_vs_before: after as f64 / before.max(1) as f64,
        fill_seconds,
        bytes_per_challenge_alone: alone,
    };
    println!(
        "memory store: {count} live challenges: RSS {:.1} MB -> {:.1} MB = {:.0} bytes per challenge (filled in {:.1} s); after expiry {:.1} MB ({:.2} x the pre-fill RSS; {} entries left)",
        report.rss_before_mb, report.rss_filled_mb, report.bytes_per_challenge, fill_seconds, report.rss_after_expiry_mb,
        report.after_expiry_vs_before, left
    );
    println!(
        "memory store: {count} live challenges of one phone: {alone:.0} bytes per challenge (without a phone record each)"
    );
    Ok(report)
}

/// `count` live challenges, each of a new phone (`distinct_phones`) or all
/// of one.
async fn fill(
    store: &MemoryStore,
    count: usize,
    lifetime: Duration,
    distinct_phones: bool,
) -> anyhow::Result<()> {
    let now = system_now();
    let expires_at = now + lifetime.as_millis() as u64;
    for i in 0..count {
        // Spread over all 16 bytes, as a real (HMAC) digest is: the store's
        // maps hash a digest by its own last bytes, so digests that differ
        // only in their first bytes would all collide (and fill in
        // quadratic time).
        let digest = (i as u128 + 1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
            .to_le_bytes();
        let phone = if distinct_phones { digest } else { [7; 16] };
        let key = format!("rao:{{{:032x}}}:otp", i as u128 * 0x9E37_79B9_7F4A_7C15);
        let challenge = Challenge {
            code: digest,
            binding: digest,
            expires_at,
            attempts_left: 3,
        };
        let send = Sending {
            phone: &phone,
            limits: None,
            session: None,
            request: None,
        };
        store.issue(send, &key, &challenge, lifetime, now).await?;
    }
    Ok(())
}
