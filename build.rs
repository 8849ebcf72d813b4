//! Refuses to build when `generated/` is stale against `specs/`.
//!
//! `make generate` records the sha256 of every generator input (each
//! `specs/*.yaml` and every file of `generator/`) in `generated/FINGERPRINT`.
//! This script hashes the same files and compares: a spec edited, added or
//! removed without regenerating fails the build with one line that names the
//! file and the fix. It needs no generator and no network, so it costs a few
//! milliseconds and runs on every machine that builds the crate.

#[path = "buildscript/guard.rs"]
mod guard;

use std::path::Path;

fn main() {
    for dir in guard::INPUT_DIRS {
        println!("cargo::rerun-if-changed={dir}");
    }
    println!("cargo::rerun-if-changed={}", guard::FINGERPRINT);
    if let Some(problem) = guard::staleness(Path::new(".")) {
        println!("cargo::error={problem}: run `make generate`");
    }
}
