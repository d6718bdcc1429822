//! Colour themes: semantic styles loaded from TOML.
//!
//! A theme file has a `name` and a `[styles]` table whose keys are the
//! semantic roles below, each an inline table such as
//! `{ fg = "#88c0d0", bg = "black", bold = true }`. Every key is optional:
//! a theme is merged field by field over the built-in default theme, so a
//! user theme only states what it changes (`bg = "reset"` or `bold = false`
//! clear a value inherited from the default). Unknown keys are rejected.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The built-in themes, embedded at build time.
const BUILTINS: [(&str, &str); 3] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

/// Colour names accepted in theme files (ratatui's colours in snake_case).
const COLOR_NAMES: [(&str, Color); 17] = [
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("dark_gray", Color::DarkGray),
    ("light_red", Color::LightRed),
    ("light_green", Color::LightGreen),
    ("light_yellow", Color::LightYellow),
    ("light_blue", Color::LightBlue),
    ("light_magenta", Color::LightMagenta),
    ("light_cyan", Color::LightCyan),
    ("white", Color::White),
    ("reset", Color::Reset),
];

/// The default theme, parsed once.
static DEFAULT_STYLES: LazyLock<Styles> = LazyLock::new(|| {
    let spec =
        parse_file("default", BUILTINS[0].1).expect("the built-in default theme is valid (checked by a unit test)");
    let mut styles = Styles::blank();
    spec.styles.apply_to(&mut styles);
    styles
});

/// Something wrong with a theme.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// Invalid TOML, an unknown key or a bad colour; `message` is toml's,
    /// which names the offending key, value and line.
    #[error("theme `{theme}` is invalid: {message}")]
    Parse { theme: String, message: String },
    /// A user theme file exists but could not be read.
    #[error("cannot read theme file {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No built-in or user theme has this name.
    #[error("unknown theme `{name}`; available themes: {}", .available.join(", "))]
    Unknown { name: String, available: Vec<String> },
}

/// Generates [`Styles`] (resolved) and `StylesSpec` (as written in TOML) from
/// one list of semantic names, so the two cannot drift apart.
macro_rules! define_styles {
    ($($(#[$doc:meta])* $name:ident,)+) => {
        /// Resolved ratatui styles, one per semantic role.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Styles {
            $($(#[$doc])* pub $name: Style,)+
        }

        /// The `[styles]` table of a theme file.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct StylesSpec {
            $(#[serde(default)] $name: Option<StyleSpec>,)+
        }

        impl Styles {
            /// Every style with nothing set.
            fn blank() -> Styles {
                Styles { $($name: Style::new(),)+ }
            }

            /// Applies `f` to every style.
            fn map_each(mut self, f: impl Fn(Style) -> Style) -> Styles {
                $(self.$name = f(self.$name);)+
                self
            }
        }

        impl StylesSpec {
            /// Overlays the styles this spec sets onto `styles`.
            fn apply_to(&self, styles: &mut Styles) {
                $(if let Some(spec) = &self.$name {
                    styles.$name = spec.apply(styles.$name);
                })+
            }

            /// Names of the styles this spec leaves unset.
            #[cfg(test)]
            fn missing(&self) -> Vec<&'static str> {
                let mut missing = Vec::new();
                $(if self.$name.is_none() {
                    missing.push(stringify!($name));
                })+
                missing
            }
        }
    };
}

define_styles! {
    /// Ordinary body text.
    text,
    /// Secondary, de-emphasised text.
    muted,
    /// Pane and popup titles.
    title,
    /// Borders of unfocused panes.
    border,
    /// Border of the focused pane.
    border_focused,
    /// The header bar (profile, region, context).
    header,
    /// Labels/keys within the header.
    header_key,
    /// A healthy status indicator.
    status_ok,
    /// A failed status indicator.
    status_error,
    /// A degraded status indicator.
    status_warning,
    /// The loading spinner.
    spinner,
    /// Table column headers.
    table_header,
    /// The selected row of the focused table.
    row_selected,
    /// The selected row of an unfocused table.
    row_selected_unfocused,
    /// Characters matched by the fuzzy filter (patched over the row style).
    match_highlight,
    /// The footer / key-hint bar.
    footer,
    /// Keys within the footer hints.
    footer_key,
    /// The `:` command line.
    command_line,
    /// The `/` filter input.
    filter,
    /// Popup body.
    popup,
    /// Popup border.
    popup_border,
    /// Error messages.
    error,
    /// Warning messages.
    warning,
    /// Success messages.
    success,
    /// General accent (counts, breadcrumbs, links).
    accent,
    /// JSON object keys.
    json_key,
    /// JSON strings.
    json_string,
    /// JSON numbers.
    json_number,
    /// JSON booleans.
    json_bool,
    /// JSON null.
    json_null,
    /// HTTP GET.
    method_get,
    /// HTTP POST.
    method_post,
    /// HTTP PUT (and PATCH, at the caller's discretion).
    method_put,
    /// HTTP DELETE.
    method_delete,
    /// Any other HTTP method (ANY, HEAD, OPTIONS, ...).
    method_other,
    /// A route without authorization.
    auth_none,
    /// A route with an authorizer / API key / IAM.
    auth_secured,
    /// Resource tags.
    tag,
}

/// A whole theme file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    styles: StylesSpec,
}

/// One style as written: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<ThemeColor>,
    bg: Option<ThemeColor>,
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    reversed: Option<bool>,
    dim: Option<bool>,
}

impl StyleSpec {
    /// `base` with this spec's fields overlaid.
    fn apply(&self, mut base: Style) -> Style {
        if let Some(ThemeColor(color)) = self.fg {
            base.fg = Some(color);
        }
        if let Some(ThemeColor(color)) = self.bg {
            base.bg = Some(color);
        }
        for (flag, modifier) in self.flags() {
            base = apply_flag(base, flag, modifier);
        }
        base
    }

    fn flags(&self) -> [(Option<bool>, Modifier); 5] {
        [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
            (self.dim, Modifier::DIM),
        ]
    }
}

/// Sets or clears one modifier. Clearing only drops it from this style; it
/// does not force it off in styles this one is patched onto.
fn apply_flag(mut style: Style, flag: Option<bool>, modifier: Modifier) -> Style {
    match flag {
        Some(true) => style.add_modifier.insert(modifier),
        Some(false) => style.add_modifier.remove(modifier),
        None => {}
    }
    style
}

/// A colour value from a theme file; rejected with a message naming it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
struct ThemeColor(Color);

impl TryFrom<String> for ThemeColor {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        parse_color(&value).map(ThemeColor).ok_or_else(|| {
            let names: Vec<&str> = COLOR_NAMES.iter().map(|(n, _)| *n).collect();
            format!("invalid colour `{value}`: expected #rrggbb or one of {}", names.join(", "))
        })
    }
}

/// Parses `#rrggbb` or a colour name (`dark_gray`; `-` and case are
/// tolerated: `Dark-Gray`).
pub fn parse_color(s: &str) -> Option<Color> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        return parse_hex(hex);
    }
    let name = s.to_ascii_lowercase().replace('-', "_");
    COLOR_NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// `rrggbb` (without `#`) to an RGB colour.
fn parse_hex(hex: &str) -> Option<Color> {
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Color::Rgb(byte(0)?, byte(2)?, byte(4)?))
}

impl Default for Styles {
    /// The embedded default (dark) theme.
    fn default() -> Self {
        DEFAULT_STYLES.clone()
    }
}

impl Styles {
    /// Monochrome version for `NO_COLOR`: drops every foreground and
    /// background colour but keeps modifiers; selected rows become REVERSED
    /// and filter matches bold + underlined so both stay visible.
    pub fn no_color(self) -> Styles {
        let mut styles = self.map_each(|mut style| {
            style.fg = None;
            style.bg = None;
            style
        });
        styles.row_selected = styles.row_selected.add_modifier(Modifier::REVERSED);
        styles.row_selected_unfocused = styles.row_selected_unfocused.add_modifier(Modifier::REVERSED);
        styles.match_highlight = styles.match_highlight.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
        styles
    }
}

/// Names of the built-in themes.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(name, _)| *name).collect()
}

/// Built-in and user themes (`*.toml` in `user_dir`), sorted, without
/// duplicates.
pub fn available(user_dir: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = builtin_names().into_iter().map(String::from).collect();
    names.extend(user_dir.map(user_theme_names).unwrap_or_default());
    names.sort();
    names.dedup();
    names
}

/// Stems of the `*.toml` files in `dir` (empty if it cannot be read).
fn user_theme_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .filter_map(|path| path.file_stem()?.to_str().map(String::from))
        .collect()
}

/// Parses theme TOML and merges it over the default theme.
/// `name_for_errors` (a theme name or file path) is used in error messages.
pub fn parse_theme(name_for_errors: &str, toml_text: &str) -> Result<Styles, ThemeError> {
    let file = parse_file(name_for_errors, toml_text)?;
    let mut styles = Styles::default();
    file.styles.apply_to(&mut styles);
    Ok(styles)
}

/// Deserialises a theme file and checks its name.
fn parse_file(name_for_errors: &str, toml_text: &str) -> Result<ThemeFile, ThemeError> {
    let parse_error = |message: String| ThemeError::Parse { theme: name_for_errors.to_string(), message };
    let file: ThemeFile = toml::from_str(toml_text).map_err(|e| parse_error(e.to_string().trim_end().to_string()))?;
    if file.name.trim().is_empty() {
        return Err(parse_error("`name` must not be empty".to_string()));
    }
    Ok(file)
}

/// Loads theme `name`: `<user_dir>/<name>.toml` if it exists (overriding a
/// built-in of the same name), else the built-in. `no_color` (from a
/// non-empty `NO_COLOR`) strips colours, see [`Styles::no_color`].
pub fn load(name: &str, user_dir: Option<&Path>, no_color: bool) -> Result<Styles, ThemeError> {
    let styles = match user_theme_path(name, user_dir) {
        Some(path) => load_file(&path)?,
        None => load_builtin(name, user_dir)?,
    };
    Ok(if no_color { styles.no_color() } else { styles })
}

/// The user's file for `name`, if there is one. Names that could escape the
/// directory are never looked up.
fn user_theme_path(name: &str, user_dir: Option<&Path>) -> Option<PathBuf> {
    let dir = user_dir?;
    let safe = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']);
    let path = dir.join(format!("{name}.toml"));
    (safe && path.is_file()).then_some(path)
}

fn load_file(path: &Path) -> Result<Styles, ThemeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ThemeError::Io { path: path.to_path_buf(), source })?;
    parse_theme(&path.display().to_string(), &text)
}

fn load_builtin(name: &str, user_dir: Option<&Path>) -> Result<Styles, ThemeError> {
    match BUILTINS.iter().find(|(builtin, _)| *builtin == name) {
        Some((_, text)) => parse_theme(name, text),
        None => Err(ThemeError::Unknown { name: name.to_string(), available: available(user_dir) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse_and_define_every_style() {
        for (name, text) in BUILTINS {
            let file = parse_file(name, text).expect("built-in theme parses");
            assert_eq!(file.styles.missing(), Vec::<&str>::new(), "theme {name}");
            assert_eq!(file.name, name);
        }
    }

    #[test]
    fn default_is_the_default_theme() {
        let styles = Styles::default();
        assert_eq!(styles, parse_theme("x", "name = \"x\"").unwrap());
        assert_ne!(styles.row_selected, Style::new());
    }

    #[test]
    fn user_theme_merges_field_by_field() {
        let text = "name = \"t\"\n[styles]\nrow_selected = { fg = \"#ff0000\", bold = false }";
        let styles = parse_theme("t", text).unwrap();
        let default = Styles::default();
        assert_eq!(styles.row_selected.fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(styles.row_selected.bg, default.row_selected.bg);
        assert!(!styles.row_selected.add_modifier.contains(Modifier::BOLD));
        assert_eq!(styles.text, default.text);
    }

    #[test]
    fn colours_parse() {
        assert_eq!(parse_color("#0a0B0c"), Some(Color::Rgb(10, 11, 12)));
        assert_eq!(parse_color("dark_gray"), Some(Color::DarkGray));
        assert_eq!(parse_color("Light-Cyan"), Some(Color::LightCyan));
        assert_eq!(parse_color("#12345"), None);
        assert_eq!(parse_color("#gg0000"), None);
        assert_eq!(parse_color("purple"), None);
    }

    #[test]
    fn unknown_theme_lists_available_names() {
        let err = load("nope", None, false).unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
        assert!(err.contains("default, high-contrast, light"), "{err}");
    }

    #[test]
    fn missing_name_and_path_like_names_are_rejected() {
        assert!(parse_theme("t", "[styles]").is_err());
        let dir = std::env::temp_dir();
        assert!(user_theme_path("../etc/x", Some(&dir)).is_none());
    }

    #[test]
    fn no_color_keeps_selection_visible() {
        let styles = load("default", None, true).unwrap();
        assert_eq!(styles.row_selected.fg, None);
        assert_eq!(styles.row_selected.bg, None);
        assert!(styles.row_selected.add_modifier.contains(Modifier::REVERSED));
        assert!(styles.title.add_modifier.contains(Modifier::BOLD));
    }
}
