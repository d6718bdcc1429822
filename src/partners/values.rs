//! Secret values portcullis chooses itself (an API key's value, a Cognito client secret),
//! drawn from the operating system's CSPRNG, and their fingerprints: what the journal keeps
//! instead of a value (a truncated SHA-256, from which the value cannot be found).

use crate::domain::Secret;
use sha2::{Digest, Sha256};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters of [A-Za-z0-9] from the OS CSPRNG (rejection sampling: no bias).
pub fn generate(len: usize) -> Result<Secret, String> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|e| format!("the system's random source failed: {e}"))?;
        // 248 = 4 * 62: bytes at or above it would favour the first letters.
        for b in buf.iter().filter(|b| **b < 248) {
            if out.len() < len {
                out.push(ALPHABET[usize::from(*b) % ALPHABET.len()] as char);
            }
        }
    }
    Ok(Secret::new(out))
}

/// An API key value: 40 characters (API Gateway takes 20 to 128 alphanumerics).
pub fn api_key_value() -> Result<Secret, String> {
    generate(40)
}

/// A client secret: 48 characters (Cognito takes 24 to 64 of `[\w+]`).
pub fn client_secret_value() -> Result<Secret, String> {
    generate(48)
}

/// `sha256:` and the first 16 hex digits of the value's SHA-256.
pub fn fingerprint(value: &Secret) -> String {
    let digest = Sha256::digest(value.expose().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_long_alphanumeric_and_differ() {
        let (a, b) = (api_key_value().unwrap(), api_key_value().unwrap());
        assert_eq!(a.expose().len(), 40);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert_eq!(client_secret_value().unwrap().expose().len(), 48);
    }

    #[test]
    fn fingerprints_are_stable_and_do_not_hold_the_value() {
        let v = Secret::new("k1VALUEabcdefghij0123456789");
        assert_eq!(fingerprint(&v), fingerprint(&v.clone()));
        assert_eq!(fingerprint(&v).len(), "sha256:".len() + 16);
        assert!(!fingerprint(&v).contains("VALUE"));
        assert_ne!(fingerprint(&v), fingerprint(&Secret::new("other")));
    }
}
