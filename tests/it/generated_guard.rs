//! `build.rs` refuses a `generated/` that is stale against `specs/`.
//!
//! Runs the build script's own check on a copy of the generator's inputs, so
//! the real tree is never touched.

#[path = "../../buildscript/guard.rs"]
mod guard;

use std::fs;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Copies `specs/`, `generator/` and `generated/FINGERPRINT` into a temp dir.
fn copy_of_inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in guard::INPUT_DIRS {
        copy_tree(&Path::new(ROOT).join(sub), &dir.path().join(sub));
    }
    fs::create_dir(dir.path().join("generated")).expect("mkdir");
    fs::copy(
        Path::new(ROOT).join(guard::FINGERPRINT),
        dir.path().join(guard::FINGERPRINT),
    )
    .expect("copy fingerprint");
    dir
}

/// Copies `from` into `to`, subfolders (the template overrides) included.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn checked_in_generated_code_is_fresh() {
    assert_eq!(guard::staleness(Path::new(ROOT)), None);
}

#[test]
fn edited_description_is_named_with_the_spec() {
    let dir = copy_of_inputs();
    let spec = dir.path().join("specs/telemarketing-otp.yaml");
    let text = fs::read_to_string(&spec).expect("read spec");
    let edited = text.replacen("OTP sent successfully", "OTP sent", 1);
    assert_ne!(text, edited, "the test's anchor text is gone from the spec");
    fs::write(&spec, edited).expect("write spec");

    assert_eq!(
        guard::staleness(dir.path()).as_deref(),
        Some("specs/telemarketing-otp.yaml changed since generated/ was made")
    );
}

/// A template override is an input like a spec: editing one without
/// regenerating fails the build.
#[test]
fn edited_template_is_named() {
    let dir = copy_of_inputs();
    let template = "generator/templates/rust-server/server-operation-handler.mustache";
    let path = dir.path().join(template);
    let mut text = fs::read_to_string(&path).expect("read template");
    text.push_str("{{! edited }}\n");
    fs::write(&path, text).expect("write template");
    assert_eq!(
        guard::staleness(dir.path()),
        Some(format!("{template} changed since generated/ was made"))
    );
}

#[test]
fn new_and_removed_inputs_are_named() {
    let dir = copy_of_inputs();
    fs::write(dir.path().join("specs/extra.yaml"), "swagger: \"2.0\"\n").expect("write");
    assert_eq!(
        guard::staleness(dir.path()).as_deref(),
        Some("specs/extra.yaml is new since generated/ was made")
    );
    fs::remove_file(dir.path().join("specs/extra.yaml")).expect("rm");
    fs::remove_file(dir.path().join("generator/oauth-token.yaml")).expect("rm");
    assert_eq!(
        guard::staleness(dir.path()).as_deref(),
        Some("generator/oauth-token.yaml was removed since generated/ was made")
    );
}

#[test]
fn missing_fingerprint_is_named() {
    let dir = copy_of_inputs();
    fs::remove_file(dir.path().join(guard::FINGERPRINT)).expect("rm");
    assert_eq!(
        guard::staleness(dir.path()).as_deref(),
        Some("generated/FINGERPRINT is missing")
    );
}

/// The shell side (`make generate`) and the Rust side hash the same files the
/// same way, or the guard would fail on a fresh tree.
#[test]
fn shell_fingerprint_matches_the_build_script() {
    let out = Command::new(Path::new(ROOT).join("scripts/fingerprint.sh"))
        .output()
        .expect("run scripts/fingerprint.sh");
    assert!(out.status.success());
    let shell = guard::parse(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(shell, guard::current_inputs(Path::new(ROOT)));
}
