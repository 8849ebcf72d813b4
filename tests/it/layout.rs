//! The layout's rules, checked on the source (docs/ARCHITECTURE.md, "Why
//! one crate"): the production core names no sandbox code, and the
//! conformance kit and the proxy — clients of the contract, not of the
//! server — name none of the server's parts. One crate keeps these
//! boundaries by this test instead of by the compiler.

use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Every `.rs` file under `src/<part>` (a folder or one file).
fn files(part: &str) -> Vec<PathBuf> {
    let root = Path::new(SRC).join(part);
    if root.is_file() {
        return vec![root];
    }
    let mut found = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    assert!(!found.is_empty(), "nothing under src/{part}");
    found
}

/// The lines of code (not comments) of `parts` that name one of `names`.
fn naming(parts: &[&str], names: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    for path in parts.iter().flat_map(|p| files(p)) {
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(name) = names.iter().find(|name| code.contains(*name)) {
                let file = path.strip_prefix(SRC).unwrap().display();
                hits.push(format!("src/{file}:{}: {name}", n + 1));
            }
        }
    }
    hits
}

#[test]
fn the_production_core_names_no_sandbox_code() {
    let core = [
        "app.rs",
        "auth",
        "cipher.rs",
        "crypto",
        "error",
        "impl",
        "mfa",
        "otp",
        "phone.rs",
        "server",
        "sms",
        "store",
    ];
    let hits = naming(
        &core,
        &[
            "crate::sandbox",
            "sandbox::",
            "crate::conform",
            "crate::proxy",
        ],
    );
    assert!(
        hits.is_empty(),
        "the core reaches outside it:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_kit_and_the_proxy_are_clients_of_the_contract_not_of_the_server() {
    let server = [
        "crate::server",
        "crate::store",
        "crate::sandbox",
        "crate::r#impl",
        "crate::app",
        "crate::auth",
        "crate::assemble",
        "crate::sms",
    ];
    let hits = naming(&["conform", "proxy"], &server);
    assert!(
        hits.is_empty(),
        "a client names the server's parts:\n{}",
        hits.join("\n")
    );
}
