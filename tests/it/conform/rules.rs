//! Every rule the kit cites is a section of the project's own
//! docs/BEHAVIOUR.md: each check's rule link resolves to a heading, the
//! document lists every check, and the kit, the proxy and their command
//! lines name no document outside the project.

use otp_server::conform::catalogue;
use std::collections::HashMap;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn behaviour() -> String {
    std::fs::read_to_string(root().join("docs/BEHAVIOUR.md")).expect("docs/BEHAVIOUR.md")
}

/// The anchor a heading gets (GitHub's rule: lower case, punctuation but
/// `-` and `_` dropped, spaces to `-`).
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every heading of the document by its anchor; two headings with one
/// anchor would make a link ambiguous, so none may.
fn anchors(text: &str) -> HashMap<String, String> {
    let mut anchors = HashMap::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        let Some(heading) = line.strip_prefix('#').filter(|_| !fenced) else {
            continue;
        };
        let heading = heading.trim_start_matches('#').trim().to_owned();
        let anchor = slug(&heading);
        let earlier = anchors.insert(anchor.clone(), heading.clone());
        assert!(earlier.is_none(), "two headings give #{anchor}: {heading}");
    }
    anchors
}

#[test]
fn every_checks_rule_links_to_a_heading_of_behaviour_md() {
    let anchors = anchors(&behaviour());
    let checks = catalogue();
    assert!(checks.len() >= 40, "{} checks", checks.len());
    for check in &checks {
        let anchor = check
            .rule
            .strip_prefix("docs/BEHAVIOUR.md#")
            .unwrap_or_else(|| panic!("{}: rule {} is not a link", check.name, check.rule));
        assert!(
            anchors.contains_key(anchor),
            "{}: docs/BEHAVIOUR.md has no heading for #{anchor}",
            check.name
        );
        assert!(!check.says.is_empty(), "{}", check.name);
    }
}

#[test]
fn behaviour_md_has_the_section_others_link_to_and_lists_every_check() {
    let text = behaviour();
    assert!(
        text.lines().any(|l| l == "## How the limits hold"),
        "the heading of docs/BEHAVIOUR.md#how-the-limits-hold"
    );
    assert!(anchors(&text).contains_key("how-the-limits-hold"));
    for check in catalogue() {
        let (_, anchor) = check.rule.split_once('#').unwrap();
        let row = format!("| `{}` | [", check.name);
        let line = text
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("docs/BEHAVIOUR.md#every-check lacks {}", check.name));
        assert!(
            line.ends_with(&format!("(#{anchor}) |")),
            "docs/BEHAVIOUR.md#every-check gives {} another section than the kit: {line}",
            check.name
        );
    }
}

/// Every `docs/BEHAVIOUR.md#anchor` written in these files.
fn links_in(path: &Path, found: &mut Vec<(String, String)>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            links_in(&entry.unwrap().path(), found);
        }
        return;
    }
    if path.ends_with("rules.rs") {
        return; // this file, which speaks of links in general
    }
    let text = std::fs::read_to_string(path).unwrap();
    for (at, _) in text.match_indices("BEHAVIOUR.md#") {
        let anchor: String = text[at + "BEHAVIOUR.md#".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        found.push((path.display().to_string(), anchor));
    }
}

#[test]
fn every_link_to_behaviour_md_in_the_kit_the_proxy_and_the_docs_resolves() {
    let anchors = anchors(&behaviour());
    let mut links = Vec::new();
    for place in [
        "src/conform",
        "src/proxy",
        "src/cli.rs",
        "src/main.rs",
        "src/commands.rs",
        "README.md",
        "docs",
        "tests/it/conform",
    ] {
        links_in(&root().join(place), &mut links);
    }
    assert!(links.len() > 10, "{links:?}");
    for (file, anchor) in links {
        assert!(
            anchor.is_empty() || anchors.contains_key(&anchor),
            "{file}: docs/BEHAVIOUR.md has no heading for #{anchor}"
        );
    }
}

#[test]
fn the_kit_and_the_proxy_name_no_document_outside_the_project() {
    let mut files = Vec::new();
    for place in [
        "src/conform",
        "src/proxy",
        "src/cli.rs",
        "tests/it/conform",
        "tests/it/proxy.rs",
    ] {
        collect(&root().join(place), &mut files);
    }
    // Spelt in pieces, so that this file does not name them either.
    let outside = [
        concat!("PROD", "UCT"),
        concat!("/work", "/shared"),
        concat!("see", "ds/"),
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in outside {
            assert!(!text.contains(name), "{} names {name}", file.display());
        }
    }
}

fn collect(path: &Path, files: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            collect(&entry.unwrap().path(), files);
        }
    } else {
        files.push(path.to_owned());
    }
}
