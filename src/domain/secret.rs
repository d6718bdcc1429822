//! A redacting wrapper for API key values, client secrets and tokens.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// A secret value: `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The raw value; call only where the user asked to see or send it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// `••••••••abcd`: the last four characters only.
    pub fn masked(&self) -> String {
        let value = self.expose();
        let tail: String = value.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        format!("••••••••{tail}")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("abcdefghijklmnopqrstuvwxyz0123");
        assert!(!format!("{s:?}").contains("abcdef"));
        assert!(!format!("{s}").contains("abcdef"));
        assert_eq!(s.masked(), "••••••••0123");
        assert_eq!(s.expose(), "abcdefghijklmnopqrstuvwxyz0123");
    }
}
