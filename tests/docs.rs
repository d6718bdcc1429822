//! The README and the reference in docs/ hold together: a short README, every page of docs/ in
//! its SUMMARY.md, every relative link pointing at a file that exists, and every flag of every
//! command documented (the command tree is read from clap, so a new flag without a word fails).

use clap::CommandFactory;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            pages(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The relative links of a Markdown text (`[text](target)`, no scheme, no anchor-only).
fn links(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].split('#').next().unwrap_or_default();
        if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
            out.push(target.to_string());
        }
        rest = &rest[end..];
    }
    out
}

#[test]
fn the_readme_is_short_and_starts_with_what_portcullis_is() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(lines <= 250, "README.md has {lines} lines (at most 250: the reference lives in docs/)");
    let first_screen: String = readme.lines().take(40).collect::<Vec<_>>().join("\n");
    assert!(first_screen.contains("terminal developer portal for AWS API Gateway"), "{first_screen}");
    for must in ["## Quick start", "scripts/demo", "scripts/test", "## Use with AWS", "docs/SUMMARY.md"] {
        assert!(readme.contains(must), "README lacks {must}");
    }
}

#[test]
fn every_page_is_in_the_summary_and_every_link_resolves() {
    let docs = root().join("docs");
    let summary = std::fs::read_to_string(docs.join("SUMMARY.md")).unwrap();
    let listed: Vec<String> = links(&summary);
    let mut all = vec![];
    pages(&docs, &mut all);
    for page in &all {
        let rel = page.strip_prefix(&docs).unwrap().to_string_lossy().replace('\\', "/");
        if rel != "SUMMARY.md" {
            assert!(listed.contains(&rel), "docs/{rel} is not in docs/SUMMARY.md");
        }
    }
    all.push(root().join("README.md"));
    for page in &all {
        let text = std::fs::read_to_string(page).unwrap();
        for target in links(&text) {
            let resolved = page.parent().unwrap().join(&target);
            assert!(resolved.exists(), "{}: the link {target} points at nothing", page.display());
        }
    }
}

/// Every `--flag` of every command, with the command it belongs to.
fn flags(cmd: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        if let Some(long) = arg.get_long().filter(|l| *l != "help" && *l != "version") {
            out.push((path.to_string(), format!("--{long}")));
        }
    }
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        flags(sub, &format!("{path} {}", sub.get_name()), out);
    }
}

#[test]
fn every_flag_of_every_command_is_documented() {
    let mut all = vec![];
    pages(&root().join("docs"), &mut all);
    let text: String = all.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let mut found = vec![];
    flags(&portcullis::cli::Cli::command(), "portcullis", &mut found);
    let missing: Vec<String> =
        found.iter().filter(|(_, f)| !text.contains(f.as_str())).map(|(c, f)| format!("{c} {f}")).collect();
    assert!(missing.is_empty(), "flags no page of docs/ mentions: {missing:#?}");
}

/// The JSON block after the marker line `<!-- MARKER... -->` in the README.
fn json_after(readme: &str, marker: &str) -> serde_json::Value {
    let at = readme.find(&format!("<!-- {marker}")).unwrap_or_else(|| panic!("README lacks the {marker} block"));
    let rest = &readme[at..];
    let start = rest.find("```json\n").expect("a json block after the marker") + "```json\n".len();
    let end = rest[start..].find("```").expect("the block's end") + start;
    serde_json::from_str(&rest[start..end]).unwrap_or_else(|e| panic!("{marker}: the README's JSON: {e}"))
}

#[test]
fn the_readme_shows_the_policies_the_command_prints() {
    use portcullis::cli::iam_policy::{policy, trust};
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert_eq!(json_after(&readme, "portcullis iam-policy -->"), policy(false), "the read-only policy");
    let all = policy(true)["Statement"].as_array().unwrap().clone();
    let read = policy(false)["Statement"].as_array().unwrap().len();
    assert_eq!(json_after(&readme, "portcullis iam-policy --changes"), serde_json::Value::Array(all[read..].to_vec()));
    let trusted = trust("arn:aws:iam::123456789012:role/platform-team", Some("portcullis"));
    assert_eq!(json_after(&readme, "portcullis iam-policy --trust"), trusted, "the trust policy");
}
