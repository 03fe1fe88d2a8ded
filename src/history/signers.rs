//! git's allowed-signers file (`gpg.ssh.allowedSignersFile`, the format of
//! `ssh-keygen -Y verify`): which people sign with which SSH keys. One line a key:
//! `principals [options] key-type base64 [comment]`, principals separated by commas,
//! options such as `namespaces="git"` or `valid-after=…`.

use crate::diagnostic::{Code, Diagnostic};
use ssh_key::PublicKey;

/// One line: the principals (e-mail addresses) a key signs for.
#[derive(Debug, Clone)]
pub struct Signer {
    pub principals: Vec<String>,
    /// The namespaces the key may sign in; empty for any.
    pub namespaces: Vec<String>,
    pub key: PublicKey,
}

#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    pub signers: Vec<Signer>,
    /// A hash of the file's text: evidence judged against these signers is cached
    /// under it.
    pub fingerprint: u64,
}

impl AllowedSigners {
    /// Reads the file's text; lines that cannot be read are reported at their line.
    pub fn parse(path: &str, text: &str) -> (AllowedSigners, Vec<Diagnostic>) {
        let mut signers = Vec::new();
        let mut problems = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_line(line) {
                Some(signer) => signers.push(signer),
                None => problems.push(
                    Diagnostic::new(
                        Code::ConfigInvalid,
                        path,
                        "this line of the allowed-signers file cannot be read",
                    )
                    .at(crate::text::Position::new(n + 1, 1))
                    .hint("write `email[,email] [namespaces=\"git\"] key-type base64-key`, as `ssh-keygen -Y verify` reads it"),
                ),
            }
        }
        let fingerprint = crate::text::stable_hash(text.as_bytes());
        (
            AllowedSigners {
                signers,
                fingerprint,
            },
            problems,
        )
    }

    /// The allowed-signers file book.toml names, read from the work tree; none when
    /// it names none.
    pub fn load(config: &crate::model::config::Config) -> (AllowedSigners, Vec<Diagnostic>) {
        let Some(path) = &config.repository.allowed_signers else {
            return (AllowedSigners::default(), Vec::new());
        };
        match std::fs::read(config.root.join(path)) {
            Ok(bytes) => AllowedSigners::parse(path, &crate::text::decode_lossy(&bytes)),
            Err(e) => (
                AllowedSigners::default(),
                vec![
                    Diagnostic::new(
                        Code::ConfigInvalid,
                        crate::model::config::FILE_NAME,
                        format!("the allowed-signers file `{path}` cannot be read: {e}"),
                    )
                    .hint("create it (git's format: `email key-type key`, one line a key), or correct [repository] allowed-signers"),
                ],
            ),
        }
    }

    /// The principals that `key` may sign git commits for.
    pub fn principals_of(&self, key: &ssh_key::public::KeyData) -> Vec<&str> {
        self.signers
            .iter()
            .filter(|s| s.key.key_data() == key)
            .filter(|s| s.namespaces.is_empty() || s.namespaces.iter().any(|n| n == "git"))
            .flat_map(|s| s.principals.iter().map(String::as_str))
            .collect()
    }
}

fn parse_line(line: &str) -> Option<Signer> {
    let tokens = tokens(line);
    let key_at = tokens.iter().position(|t| is_key_type(t))?;
    if key_at == 0 {
        return None;
    }
    let principals = tokens[0]
        .trim_matches('"')
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let mut namespaces = Vec::new();
    for option in &tokens[1..key_at] {
        for part in outside_quotes(option, ',') {
            if let Some(value) = part.strip_prefix("namespaces=") {
                namespaces.extend(
                    value
                        .trim_matches('"')
                        .split(',')
                        .map(|n| n.trim().to_string()),
                );
            }
        }
    }
    let encoded = format!("{} {}", tokens[key_at], tokens.get(key_at + 1)?);
    let key = PublicKey::from_openssh(&encoded).ok()?;
    Some(Signer {
        principals,
        namespaces,
        key,
    })
}

/// `text` split at `separator` where it is outside double quotes.
fn outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == separator && !quoted {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The line's tokens, split at white space outside double quotes.
fn tokens(line: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    tokens.push(&line[s..i]);
                }
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        tokens.push(&line[s..]);
    }
    tokens
}

fn is_key_type(token: &str) -> bool {
    token.starts_with("ssh-")
        || token.starts_with("ecdsa-sha2-")
        || token.starts_with("sk-ssh-")
        || token.starts_with("sk-ecdsa-")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINoy7rn+PSJn4Fzq+A0B8evLa6tyohDCzPMSbKoBxamw";

    #[test]
    fn reads_principals_options_and_keys() {
        let text = format!(
            "# signers\nada@example.org {KEY} ada's laptop\nbo@example.org,bob@example.org namespaces=\"git,file\" {KEY}\nbroken line\n"
        );
        let (signers, problems) = AllowedSigners::parse("signers", &text);
        assert_eq!(signers.signers.len(), 2);
        assert_eq!(
            signers.signers[1].principals,
            ["bo@example.org", "bob@example.org"]
        );
        assert_eq!(signers.signers[1].namespaces, ["git", "file"]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 4);
        let key = PublicKey::from_openssh(KEY).unwrap();
        assert_eq!(
            signers.principals_of(key.key_data()),
            ["ada@example.org", "bo@example.org", "bob@example.org"]
        );
    }
}
