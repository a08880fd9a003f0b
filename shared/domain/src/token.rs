//! Invitation tokens.
//!
//! INVARIANT: a token is 32 bytes from the random-source port (a CSPRNG in production), shown
//! exactly once (in the email link), and stored only as its SHA-256 hash. Nothing returns it,
//! nothing logs it; its `Debug` is redacted. Looking an invitation up means hashing what the
//! invitee sends and reading the item keyed by that hash.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::fmt;

/// The secret sent to the invitee. Only ever held in memory between generation and sending.
pub struct InvitationToken(String);

impl InvitationToken {
    /// Number of random bytes in a token (256 bits).
    pub const BYTES: usize = 32;

    /// Wraps 32 random bytes as URL-safe base64 (43 characters, no padding).
    pub fn from_random(bytes: [u8; Self::BYTES]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts a token sent back by an invitee; anything that is not 43 base64url characters is
    /// rejected before it reaches storage.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let ok = raw.len() == 43 && URL_SAFE_NO_PAD.decode(raw).is_ok_and(|b| b.len() == Self::BYTES);
        ok.then(|| Self(raw.to_owned()))
    }

    /// The hash under which the token is stored.
    pub fn hash(&self) -> TokenHash {
        TokenHash(hex(&Sha256::digest(self.0.as_bytes())))
    }

    /// The token text, for building the email link and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for InvitationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvitationToken(<redacted>)")
    }
}

/// SHA-256 of a token, lower-case hex. Safe to store and compare; useless to an attacker.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Even the hash is shortened in logs: enough to correlate, not to look anything up.
        write!(f, "TokenHash({}…)", &self.0[..8.min(self.0.len())])
    }
}

/// Lower-case hex of a byte string.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_url_safe_characters_and_parses_back() {
        let t = InvitationToken::from_random([7; 32]);
        assert_eq!(t.expose().len(), 43);
        assert!(t.expose().chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let back = InvitationToken::parse(t.expose()).unwrap();
        assert_eq!(back.hash(), t.hash());
    }

    #[test]
    fn different_tokens_have_different_hashes_and_the_hash_is_not_the_token() {
        let a = InvitationToken::from_random([1; 32]);
        let b = InvitationToken::from_random([2; 32]);
        assert_ne!(a.hash(), b.hash());
        assert_ne!(a.hash().as_str(), a.expose());
        assert_eq!(a.hash().as_str().len(), 64);
    }

    #[test]
    fn garbage_is_not_a_token() {
        for bad in ["", "short", &"a".repeat(44), &"!".repeat(43)] {
            assert!(InvitationToken::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = InvitationToken::from_random([9; 32]);
        assert!(!format!("{t:?}").contains(t.expose()));
    }
}
