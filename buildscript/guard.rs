//! The staleness check of `build.rs`, shared with its test
//! (`tests/it/generated_guard.rs`), which runs it on a copy of the tree.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Where `make generate` records the fingerprint, relative to the crate root.
pub const FINGERPRINT: &str = "generated/FINGERPRINT";
/// The folders whose files are the generator's inputs (`generator/` with
/// its subfolders).
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

/// Hashes the generator's inputs as `scripts/fingerprint.sh` does: each
/// `specs/*.yaml`, and every file under `generator/` at any depth (the
/// template overrides live in `generator/templates/`).
pub fn current_inputs(root: &Path) -> BTreeMap<String, String> {
    let mut inputs = BTreeMap::new();
    for dir in INPUT_DIRS {
        hash_files(root, Path::new(dir), &mut inputs);
    }
    inputs
}

fn hash_files(root: &Path, dir: &Path, inputs: &mut BTreeMap<String, String>) {
    let Ok(entries) = fs::read_dir(root.join(dir)) else {
        return;
    };
    let in_specs = dir == Path::new("specs");
    for entry in entries.flatten() {
        let path = dir.join(entry.file_name());
        let full = root.join(&path);
        if full.is_dir() {
            if !in_specs {
                hash_files(root, &path, inputs);
            }
            continue;
        }
        let is_input = !in_specs || path.extension().is_some_and(|e| e == "yaml");
        if is_input && full.is_file() {
            if let Ok(bytes) = fs::read(&full) {
                let hash = format!("{:x}", Sha256::digest(&bytes));
                inputs.insert(path.to_string_lossy().into_owned(), hash);
            }
        }
    }
}
