//! The shell's conventions: every argument described, the global options under their own
//! heading, the exit codes in the help of the commands that have more than 0 and 1, completions
//! that bash completes from, and a man page that `man -l` renders.

use clap::CommandFactory;
use portcullis::cli::Cli;

fn portcullis(args: &[&str]) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"));
    c.args(args).env("XDG_CONFIG_HOME", std::env::temp_dir().join("portcullis-test-no-config"));
    c.env_remove("AWS_PROFILE").env_remove("PORTCULLIS_PROFILE").output().expect("run portcullis")
}

fn help(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--help");
    let out = portcullis(&all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Every argument of every command, `command path: --flag` for those without a line of help.
fn undescribed(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let id = arg.get_id().as_str();
        if id != "help" && id != "version" && arg.get_help().is_none() && arg.get_long_help().is_none() {
            out.push(format!("{path}: {id}"));
        }
    }
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        if sub.get_about().is_none() {
            out.push(format!("{path} {}: (the command itself)", sub.get_name()));
        }
        undescribed(sub, &format!("{path} {}", sub.get_name()), out);
    }
}

#[test]
fn every_argument_and_command_has_a_line_of_help() {
    let mut missing = vec![];
    undescribed(&Cli::command(), "portcullis", &mut missing);
    assert!(missing.is_empty(), "without help: {missing:#?}");
}

#[test]
fn help_puts_the_global_options_under_their_own_heading_and_says_the_exit_codes() {
    insta::assert_snapshot!("help_top", help(&[]));
    insta::assert_snapshot!("help_partners_rotate", help(&["partners", "rotate"]));
    insta::assert_snapshot!("help_call", help(&["call"]));
    insta::assert_snapshot!("help_lint", help(&["lint"]));
    for args in [&["partners", "rotate"][..], &["call"], &["lint"], &["keys"], &["apis"]] {
        let text = help(args);
        let (own, global) = text.split_once("Global options:").unwrap_or_else(|| panic!("{args:?}: {text}"));
        assert!(!own.contains("--endpoint-url") && global.contains("--endpoint-url"), "{args:?}: {text}");
        assert!(text.contains("Exit codes:"), "{args:?} says its exit codes: {text}");
    }
}

#[test]
fn bash_completes_a_command_from_the_generated_script() {
    let out = portcullis(&["completions", "bash"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("portcullis.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let probe = format!(
            "source {}; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; \
             _portcullis portcullis '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let out = std::process::Command::new("bash").args(["--norc", "-c", &probe]).output().expect("bash");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("portcullis par").trim(), "partners");
    assert!(complete("portcullis partners ro").lines().any(|l| l == "rotate"));
    for shell in ["zsh", "fish", "powershell"] {
        let out = portcullis(&["completions", shell]);
        assert!(out.status.success() && out.stdout.len() > 1000, "{shell}");
    }
}

#[test]
fn the_man_page_renders_with_man() {
    let dir = tempfile::tempdir().unwrap();
    let out = portcullis(&["man"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = dir.path().join("portcullis.1");
    std::fs::write(&page, &out.stdout).unwrap();
    let shown = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man (man-db) is installed: scripts/test installs it");
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    let text = String::from_utf8_lossy(&shown.stdout);
    for want in ["portcullis", "SUBCOMMANDS", "partners", "--endpoint-url", "EXIT CODES"] {
        assert!(text.contains(want), "the rendered page has {want}: {text}");
    }
    // One page per command, into a directory.
    let pages = dir.path().join("pages");
    let out = portcullis(&["man", "--dir", pages.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["portcullis.1", "portcullis-partners.1", "portcullis-partners-rotate.1", "portcullis-call.1"] {
        assert!(pages.join(name).exists(), "{name}");
    }
}
