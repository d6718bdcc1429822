//! Theme files and theme loading, through the public API.

use portcullis::tui::theme::{Styles, builtin_names, load, parse_theme};
use ratatui::style::{Color, Modifier};

const THEMES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/themes");

#[test]
fn every_shipped_theme_parses() {
    let mut count = 0;
    for entry in std::fs::read_dir(THEMES_DIR).expect("themes/ exists") {
        let path = entry.expect("readable dir entry").path();
        if path.extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable theme file");
        let name = path.display().to_string();
        if let Err(err) = parse_theme(&name, &text) {
            panic!("{name} does not parse: {err}");
        }
        count += 1;
    }
    assert!(count >= 3, "expected at least 3 themes, found {count}");
}

#[test]
fn every_builtin_loads() {
    let names = builtin_names();
    assert_eq!(names, ["default", "light", "high-contrast"]);
    for name in names {
        assert!(load(name, None, false).is_ok(), "builtin {name}");
    }
}

#[test]
fn unknown_style_field_is_rejected_naming_it() {
    let text = "name = \"bad\"\n[styles.text]\nfgg = \"red\"\n";
    let err = parse_theme("bad", text).unwrap_err().to_string();
    assert!(err.contains("fgg"), "{err}");
    assert!(err.contains("bad"), "{err}");
}

#[test]
fn unknown_style_name_is_rejected_naming_it() {
    let text = "name = \"bad\"\n[styles.txet]\nfg = \"red\"\n";
    let err = parse_theme("bad", text).unwrap_err().to_string();
    assert!(err.contains("txet"), "{err}");
}

#[test]
fn unknown_top_level_key_is_rejected() {
    let text = "name = \"bad\"\ncolours = 3\n";
    let err = parse_theme("bad", text).unwrap_err().to_string();
    assert!(err.contains("colours"), "{err}");
}

#[test]
fn bad_colour_is_rejected_naming_it() {
    let text = "name = \"bad\"\n[styles]\ntext = { fg = \"reddish\" }\n";
    let err = parse_theme("bad", text).unwrap_err().to_string();
    assert!(err.contains("reddish"), "{err}");
    let text = "name = \"bad\"\n[styles]\ntext = { bg = \"#12345z\" }\n";
    let err = parse_theme("bad", text).unwrap_err().to_string();
    assert!(err.contains("#12345z"), "{err}");
}

#[test]
fn user_theme_overrides_builtin_of_same_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "name = \"mine\"\n[styles.text]\nfg = \"#123456\"\n";
    std::fs::write(dir.path().join("default.toml"), text).expect("write theme");
    let styles = load("default", Some(dir.path()), false).expect("user theme loads");
    assert_eq!(styles.text.fg, Some(Color::Rgb(0x12, 0x34, 0x56)));
    // Keys the user theme leaves out come from the built-in default.
    assert_eq!(styles.row_selected, Styles::default().row_selected);
}

#[test]
fn user_theme_with_new_name_is_found_and_listed_on_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("ocean.toml"), "name = \"ocean\"\n").expect("write theme");
    assert!(load("ocean", Some(dir.path()), false).is_ok());
    let err = load("nope", Some(dir.path()), false).unwrap_err().to_string();
    assert!(err.contains("ocean") && err.contains("light"), "{err}");
}

#[test]
fn no_color_strips_colours_but_keeps_selection_visible() {
    let styles = load("default", None, true).expect("default loads");
    for style in [styles.text, styles.title, styles.row_selected, styles.popup, styles.tag] {
        assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
    }
    assert!(styles.row_selected.add_modifier.contains(Modifier::REVERSED));
    assert!(styles.title.add_modifier.contains(Modifier::BOLD));
    assert_eq!(Styles::default().no_color(), styles);
}
