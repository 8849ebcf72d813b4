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

/// `src/a/b.rs` and `src/a/b/mod.rs` are module `a::b`; `lib.rs` the root.
fn module_of(path: &Path) -> Vec<String> {
    let relative = path.strip_prefix(SRC).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The paths a file's code names from `crate::`, `super::`, `self::` or
/// `use child::`, made absolute (one level of `{a, b::c}` groups opened).
fn named_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    // `use child::Item`: a path relative to the module, through a child
    // module (any other first word is another crate's, and resolves to
    // the module itself, which is no arrow).
    for (at, _) in code.match_indices("use ") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // "because ", "reuse "
        }
        let after = code[at + 4..].trim_start();
        let first: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !first.is_empty() && !["crate", "super", "self"].contains(&first.as_str()) {
            let mut path = module.to_vec();
            path.push(first);
            found.push(path);
        }
    }
    for start in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            rest = &rest[at + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            // `super::` names the module's parent, from `a/b.rs` and from
            // `a/b/mod.rs` alike (both are module `a::b`).
            let mut base: Vec<String> = match start {
                "crate::" => Vec::new(),
                "self::" => module.to_vec(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            let word = |c: char| c.is_alphanumeric() || c == '_' || c == '#';
            let path: String = rest.chars().take_while(|&c| word(c) || c == ':').collect();
            base.extend(
                path.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            let after = &rest[path.len()..];
            if path.ends_with("::") && after.starts_with('{') {
                let group = &after[1..after.find('}').unwrap_or(after.len())];
                for item in group.split(',') {
                    let mut each = base.clone();
                    each.extend(item.trim().split("::").map(str::trim).map(str::to_owned));
                    found.push(each);
                }
            } else {
                found.push(base);
            }
        }
    }
    found
}

#[test]
fn no_file_imports_itself_around_a_loop() {
    let paths = files(".");
    let modules: Vec<Vec<String>> = paths.iter().map(|p| module_of(p)).collect();
    let index = |path: &[String]| -> Option<usize> {
        (1..=path.len())
            .rev()
            .find_map(|n| modules.iter().position(|m| m.as_slice() == &path[..n]))
    };
    let mut arrows: Vec<Vec<usize>> = vec![Vec::new(); paths.len()];
    for (from, path) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let code: Vec<&str> = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect();
        // A module naming itself or its own parent (`super::Item`, its
        // folder's re-exports) names what it is inside of: no arrow.
        let inside = |to: usize| modules[from].starts_with(&modules[to]);
        for named in named_paths(&code.join(" "), &modules[from]) {
            if let Some(to) = index(&named).filter(|&to| !inside(to)) {
                if !arrows[from].contains(&to) {
                    arrows[from].push(to);
                }
            }
        }
    }
    // A depth-first walk: reaching a file still on the walk's path is a loop.
    fn walk(
        at: usize,
        arrows: &[Vec<usize>],
        state: &mut [u8],
        trail: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[at] = 1;
        trail.push(at);
        for &next in &arrows[at] {
            if state[next] == 1 {
                let from = trail.iter().position(|&t| t == next).unwrap();
                return Some(trail[from..].to_vec());
            }
            if state[next] == 0 {
                if let Some(found) = walk(next, arrows, state, trail) {
                    return Some(found);
                }
            }
        }
        trail.pop();
        state[at] = 2;
        None
    }
    let mut state = vec![0u8; paths.len()];
    for start in 0..paths.len() {
        if state[start] == 0 {
            if let Some(circle) = walk(start, &arrows, &mut state, &mut Vec::new()) {
                let names: Vec<String> = circle.iter().map(|&i| modules[i].join("::")).collect();
                panic!("an import circle: {} -> back", names.join(" -> "));
            }
        }
    }
}
