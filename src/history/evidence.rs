//! Approval evidence read from git, in three levels: `declared` (the front matter
//! says who approved, nothing more), `recorded` (the commit that landed the approved
//! version was made by a member of the approving role, or carries an `Approved-by:`
//! trailer of one) and `signed` (that commit is SSH-signed by a key that the
//! allowed-signers file lists for a member). Signatures are verified in-process;
//! OpenPGP signatures are reported as present, not verified.

use super::signers::AllowedSigners;
use crate::model::config::{EvidenceLevel, Role};
use git2::{Commit, Oid, Repository};
use serde::Serialize;
use ssh_key::SshSig;

/// What shows that a version was approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub level: EvidenceLevel,
    /// The member the evidence names (an e-mail address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// What the evidence is: "Approved-by trailer", "made by", "SSH signature".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// The commit that carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// An OpenPGP signature is on the commit: present, not verified.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub openpgp: bool,
}

impl Evidence {
    pub fn declared() -> Evidence {
        Evidence {
            level: EvidenceLevel::Declared,
            by: None,
            how: None,
            commit: None,
            openpgp: false,
        }
    }

    /// "recorded (Approved-by trailer of ada@example.org in 1a2b3c4)".
    pub fn describe(&self) -> String {
        match (&self.how, &self.by, &self.commit) {
            (Some(how), Some(by), Some(commit)) => format!(
                "{} ({how} of {by} in {})",
                self.level.as_str(),
                super::git::short(commit)
            ),
            _ if self.openpgp => format!(
                "{} (an OpenPGP signature is present, not verified)",
                self.level.as_str()
            ),
            _ => self.level.as_str().to_string(),
        }
    }
}

/// The strongest evidence that `commit` (the commit that landed an approved version)
/// was approved by a member of `role`. For a merge, the merged branch's last commit
/// counts too: an approver may sign or be the author of either.
pub fn of_commit(
    repo: &Repository,
    commit: &str,
    role: Option<&Role>,
    signers: &AllowedSigners,
) -> Evidence {
    let Some(landing) = Oid::from_str(commit)
        .ok()
        .and_then(|oid| repo.find_commit(oid).ok())
    else {
        return Evidence::declared();
    };
    let mut candidates = vec![landing.clone()];
    if landing.parent_count() > 1
        && let Ok(tip) = landing.parent(1)
    {
        candidates.push(tip);
    }
    let openpgp = candidates.iter().any(|c| signature_kind(c) == Some("pgp"));
    let Some(role) = role.filter(|r| !r.members.is_empty()) else {
        return Evidence {
            openpgp,
            ..Evidence::declared()
        };
    };
    let found = candidates
        .iter()
        .find_map(|c| signed_by(repo, c, role, signers))
        .or_else(|| candidates.iter().find_map(|c| recorded_by(c, role)));
    match found {
        Some(mut evidence) => {
            evidence.openpgp = openpgp;
            evidence
        }
        None => Evidence {
            openpgp,
            ..Evidence::declared()
        },
    }
}

/// `ssh` or `pgp`, by the signature's armour.
fn signature_kind(commit: &Commit<'_>) -> Option<&'static str> {
    let signature = commit.header_field_bytes("gpgsig").ok()?;
    let text = String::from_utf8_lossy(&signature);
    if text.contains("BEGIN SSH SIGNATURE") {
        Some("ssh")
    } else if text.contains("BEGIN PGP SIGNATURE") {
        Some("pgp")
    } else {
        Some("other")
    }
}

/// A valid SSH signature by a key the allowed signers list for a member of the role.
fn signed_by(
    repo: &Repository,
    commit: &Commit<'_>,
    role: &Role,
    signers: &AllowedSigners,
) -> Option<Evidence> {
    if signature_kind(commit) != Some("ssh") {
        return None;
    }
    let (signature, signed) = repo.extract_signature(&commit.id(), None).ok()?;
    let sshsig = SshSig::from_pem(&*signature).ok()?;
    let member = signers
        .principals_of(sshsig.public_key())
        .into_iter()
        .find(|p| role.has_member(p))?;
    let key = signers
        .signers
        .iter()
        .find(|s| s.key.key_data() == sshsig.public_key())?;
    key.key.verify("git", &signed, &sshsig).ok()?;
    Some(Evidence {
        level: EvidenceLevel::Signed,
        by: Some(member.to_string()),
        how: Some("SSH signature".to_string()),
        commit: Some(commit.id().to_string()),
        openpgp: false,
    })
}

/// An `Approved-by:` trailer of a member, or the commit made by one.
fn recorded_by(commit: &Commit<'_>, role: &Role) -> Option<Evidence> {
    let message = String::from_utf8_lossy(commit.message_bytes());
    let record = |by: &str, how: &str| Evidence {
        level: EvidenceLevel::Recorded,
        by: Some(by.to_string()),
        how: Some(how.to_string()),
        commit: Some(commit.id().to_string()),
        openpgp: false,
    };
    if let Some(email) = approved_by_trailers(&message)
        .into_iter()
        .find(|email| role.has_member(email))
    {
        return Some(record(&email, "Approved-by trailer"));
    }
    let email = |signature: git2::Signature<'_>| {
        String::from_utf8_lossy(signature.email_bytes()).into_owned()
    };
    [email(commit.author()), email(commit.committer())]
        .into_iter()
        .find(|e| role.has_member(e))
        .map(|e| record(&e, "commit made by"))
}

/// The e-mail addresses of the `Approved-by:` trailers of a commit message (its last
/// paragraph, as git reads trailers): `Approved-by: Ada Lovelace <ada@example.org>`.
pub fn approved_by_trailers(message: &str) -> Vec<String> {
    let trimmed = message.trim_end();
    let last = trimmed.rsplit("\n\n").next().unwrap_or(trimmed);
    last.lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case("approved-by")
                .then_some(value)
        })
        .filter_map(|value| {
            let value = value.trim();
            let email = match (value.rfind('<'), value.rfind('>')) {
                (Some(open), Some(close)) if open < close => &value[open + 1..close],
                _ => value,
            };
            email.contains('@').then(|| email.trim().to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_are_read_from_the_last_paragraph() {
        let message = "Access control policy 2.1\n\nApproved-by: in the body is not a trailer <x@y>\n\nSigned-off-by: Bo <bo@example.org>\nApproved-by: Ada Lovelace <ada@example.org>\napproved-by: cy@example.org\n";
        assert_eq!(
            approved_by_trailers(message),
            ["ada@example.org", "cy@example.org"]
        );
        assert!(approved_by_trailers("Just a subject").is_empty());
    }
}
