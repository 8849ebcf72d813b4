//! The staleness check of `build.rs`, shared with its test
//! (`tests/it/generated_guard.rs`), which runs it on a copy of the tree.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Where `make generate` records the fingerprint, relative to the crate root.
pub const FINGERPRINT: &str = "generated/FINGERPRINT";
/// The folders whose files are the generator's inputs.
pub const INPUT_DIRS: [&str; 2] = ["specs", "generator"];

/// Describes the first difference between the recorded and the current inputs.
pub fn staleness(root: &Path) -> Option<String> {
    let recorded = match fs::read_to_string(root.join(FINGERPRINT)) {
        Ok(text) => parse(&text),
        Err(_) => return Some(format!("{FINGERPRINT} is missing")),
    };
    let current = current_inputs(root);
    for (path, hash) in &current {
        match recorded.get(path) {
            None => return Some(format!("{path} is new since generated/ was made")),
            Some(old) if old != hash => {
                return Some(format!("{path} changed since generated/ was made"))
            }
            Some(_) => {}
        }
    }
    recorded
        .keys()
        .find(|path| !current.contains_key(*path))
        .map(|path| format!("{path} was removed since generated/ was made"))
}

/// Reads `sha256sum` lines: `<hex>  <path>`.
pub fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(hash, path)| (path.to_owned(), hash.to_owned()))
        .collect()
}

/// Hashes the generator's inputs as `scripts/fingerprint.sh` does.
pub fn current_inputs(root: &Path) -> BTreeMap<String, String> {
    let mut inputs = BTreeMap::new();
    for dir in INPUT_DIRS {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = Path::new(dir).join(entry.file_name());
            let is_input = dir != "specs" || path.extension().is_some_and(|e| e == "yaml");
            if is_input && root.join(&path).is_file() {
                if let Ok(bytes) = fs::read(root.join(&path)) {
                    let hash = format!("{:x}", Sha256::digest(&bytes));
                    inputs.insert(path.to_string_lossy().into_owned(), hash);
                }
            }
        }
    }
    inputs
}
