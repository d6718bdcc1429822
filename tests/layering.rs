//! The layering docs/development/README.md describes, held by a test (ArchUnit's idea): each module's
//! `crate::` paths (in `use` lines and inline) may name only modules below it.
//!
//! The crate, bottom up: domain/, openapi/, sanitize; aws/; governance/ and tryit/; partners/;
//! config; estate; cli/ and tui/ (dev/, the test doubles behind the dev-tools feature, and
//! the binaries may use anything). Inside tui/: the shared ground (action, keymap, theme,
//! terminal, loadable, context, data) never names a screen, a dialog, a widget, the router or
//! the chrome; the store, the commands, the messages and the worker never name the view; the
//! widgets never name a dialog or a screen; the dialogs never name a screen; the chrome never
//! names the router.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layer of a top-level module (higher may use lower); `None` for what may use anything.
fn rank(module: &str) -> Option<u8> {
    Some(match module {
        "domain" | "openapi" | "sanitize" => 0,
        "aws" => 1,
        "governance" | "tryit" => 2,
        "partners" => 3,
        "config" => 4,
        "estate" => 5,
        "cli" | "tui" => 6,
        _ => return None,
    })
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without its unit tests (they may reach for anything to build a fixture).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Every path the source names inside the crate (`crate::a::b`, and `super::b` resolved from
/// `module`, the file's own module path), as its first two segments; `use` groups opened.
fn paths(source: &str, module: &[String]) -> BTreeSet<(String, String)> {
    let text: String = source.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut out = BTreeSet::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let Some(found) = rest.find("crate::").into_iter().chain(rest.find("super::")).min() else { break };
        let start = at + found;
        at = start + 1;
        if start > 0 && text[..start].ends_with(|c: char| c == ':' || c.is_alphanumeric() || c == '_') {
            continue;
        }
        let mut tail = &text[start..];
        let base: Vec<String> = if let Some(t) = tail.strip_prefix("crate::") {
            tail = t;
            vec![]
        } else {
            let mut up = 0;
            while let Some(t) = tail.strip_prefix("super::") {
                tail = t;
                up += 1;
            }
            module[..module.len().saturating_sub(up)].to_vec()
        };
        let (found, used) = tree(tail);
        for path in found {
            let mut full = base.clone();
            full.extend(path.split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_string));
            if let Some(first) = full.first() {
                out.insert((first.clone(), full.get(1).cloned().unwrap_or_default()));
            }
        }
        at = text.len() - tail.len() + used;
    }
    out
}

fn ident_end(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len())
}

/// A use tree at the start of `s` (`a::b`, `a::{b, c::{d}}`): its paths, and how much of `s`
/// it took.
fn tree(s: &str) -> (Vec<String>, usize) {
    let mut segments: Vec<&str> = Vec::new();
    let mut at = 0;
    loop {
        let rest = &s[at..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching(group);
            let prefix = segments.join("::");
            let mut out = Vec::new();
            for item in split_top(&group[..end]) {
                let item = item.trim_start();
                for path in tree(item).0 {
                    out.push(if prefix.is_empty() { path } else { format!("{prefix}::{path}") });
                }
            }
            return (out, at + 1 + end);
        }
        let n = ident_end(rest);
        if n == 0 {
            return (vec![segments.join("::")], at);
        }
        segments.push(&rest[..n]);
        at += n;
        match s[at..].strip_prefix("::") {
            Some(_) => at += 2,
            None => return (vec![segments.join("::")], at),
        }
    }
}

/// The index of the `}` closing a group that starts just before `s`.
fn matching(s: &str) -> usize {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    s.len()
}

fn split_top(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// `tui/screens/audit/mod.rs` -> ["tui", "screens", "audit", "mod"].
fn parts(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect()
}

/// Inside tui/: the parts of the TUI a file may not name.
fn tui_forbidden(part: &str) -> &'static [&'static str] {
    const VIEW: &[&str] = &["screens", "dialogs", "widgets", "app", "chrome", "prompt"];
    match part {
        "action" | "keymap" | "theme" | "terminal" | "loadable" | "context" | "data" => VIEW,
        "store" | "command" | "message" | "worker" | "jobs" => VIEW,
        "widgets" => &["screens", "dialogs", "app", "chrome", "prompt"],
        "dialogs" => &["screens", "app", "chrome", "prompt"],
        "chrome" => &["app"],
        "screens" => &["app", "chrome"],
        _ => &[],
    }
}

#[test]
fn nothing_points_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    for file in &all {
        let p = parts(&src, file);
        let Some(own) = rank(&p[0]) else { continue };
        let mut own_path = p.clone();
        if own_path.last().is_some_and(|l| l == "mod") {
            own_path.pop();
        }
        for (module, next) in paths(&code(file), &own_path) {
            if module == p[0] {
                if module == "tui" && p.len() > 1 && tui_forbidden(&p[1]).contains(&next.as_str()) {
                    wrong.push(format!("{}: crate::tui::{next} (the {} of the TUI may not use it)", p.join("/"), p[1]));
                }
                continue;
            }
            match rank(&module) {
                Some(r) if r < own || (r == 0 && own == 0) => {}
                Some(_) => wrong.push(format!("{}: crate::{module}::{next} (not below {})", p.join("/"), p[0])),
                None => wrong.push(format!("{}: crate::{module} (not a module of the product)", p.join("/"))),
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering:\n  {}", wrong.join("\n  "));
}

#[test]
fn the_path_reader_sees_groups_and_inline_paths() {
    let source = "use crate::{aws::{self, x}, domain::Api, tui::{app::App, screens::{a, b}}};\nfn f() { crate::cli::write_stdout(\"\"); }\n// crate::tui::chrome in a comment\n";
    let found: Vec<(String, String)> = paths(source, &[]).into_iter().collect();
    let want =
        [("aws", ""), ("aws", "x"), ("cli", "write_stdout"), ("domain", "Api"), ("tui", "app"), ("tui", "screens")];
    assert_eq!(found, want.map(|(a, b)| (a.to_string(), b.to_string())));
}

#[test]
fn super_paths_are_read_from_where_the_file_is() {
    let module = ["tui".to_string(), "screens".to_string(), "partners".to_string()];
    let source =
        "use super::super::store::Store;\nuse super::{plans::load, Nav};\nfn f() { super::super::super::cli::x(); }\n";
    let found: Vec<(String, String)> = paths(source, &module).into_iter().collect();
    let want = [("cli", "x"), ("tui", "screens"), ("tui", "store")];
    assert_eq!(found, want.map(|(a, b)| (a.to_string(), b.to_string())));
}

/// A screen never builds another: it returns a `Target` (or opens one of its own folder's
/// screens), and `screens/mod.rs`'s `open_target` is the one place that builds them.
#[test]
fn screens_open_one_another_by_target() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui/screens");
    let mut all = Vec::new();
    files(&src, &mut all);
    let owner = |ty: &str| {
        all.iter().find_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            let folder = f.strip_prefix(&src).ok()?.components().next()?.as_os_str().to_string_lossy().into_owned();
            text.contains(&format!("pub struct {ty} ")).then_some(folder)
        })
    };
    let mut wrong = Vec::new();
    for file in &all {
        let rel = file.strip_prefix(&src).unwrap();
        let Some(folder) = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()) else {
            continue;
        };
        if folder.ends_with(".rs") {
            continue; // screens/mod.rs: the registry
        }
        let text = code(file);
        for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            let named = word.ends_with("Screen") && word.len() > "Screen".len() && word.starts_with(char::is_uppercase);
            if named && let Some(home) = owner(word).filter(|h| *h != folder) {
                wrong.push(format!("screens/{}: {word} (of screens/{home})", rel.display()));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "screens built by another screen's folder:\n  {}", wrong.join("\n  "));
}
