//! The acknowledgement ledger (Annex A 5.1: policies "communicated to and
//! acknowledged by relevant personnel"; clause 7.3 awareness): the people and their
//! groups from a roster, and who acknowledged which version of which document, from
//! records. Both are plain CSV as HR and learning systems export them, read and never
//! written. A malformed row is reported at its line and skipped; the rest is read.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::config::{AckSettings, Config, EVERYONE};
use crate::model::kinds::{Version, parse_date};
use chrono::{Days, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// One person of the roster.
#[derive(Debug, Clone)]
pub struct Person {
    /// Lower-case: e-mail addresses are matched without regard to case.
    pub email: String,
    pub name: String,
    /// Lower-case group names.
    pub groups: Vec<String>,
    /// When the person joined, if the roster says: their acknowledgements are due
    /// from then at the earliest.
    pub joined: Option<NaiveDate>,
}

/// What the ledger knows.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// By e-mail address.
    pub people: BTreeMap<String, Person>,
    /// Document id → e-mail → the versions acknowledged, with their dates.
    acknowledged: HashMap<String, HashMap<String, Vec<(Version, NaiveDate)>>>,
    /// How many acknowledgement records were read.
    pub records: usize,
    /// Each document id the records name, with the first place it is named.
    pub seen: HashMap<String, (String, usize)>,
    /// Each group the roster names, with the first place it is named.
    pub groups: HashMap<String, (String, usize)>,
}

/// How far a document's audience has acknowledged its current major version.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// People in the audience.
    pub audience: usize,
    /// Of them, those whose acknowledgement covers the current version.
    pub acknowledged: usize,
    /// Of the others, those whose acknowledgement is past due.
    pub overdue: usize,
    /// The day acknowledgements of this major version were due (for people who were
    /// there when it took effect).
    pub due: Option<NaiveDate>,
    /// Those who have not acknowledged, overdue first.
    #[serde(skip)]
    pub missing: Vec<Missing>,
}

/// A person who has not acknowledged a document yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub email: String,
    /// When their acknowledgement is (or was) due.
    pub due: Option<NaiveDate>,
    pub overdue: bool,
}

impl Ledger {
    /// Reads the roster and the records configured in book.toml, relative to `root`.
    pub fn read(root: &Path, settings: &AckSettings) -> (Ledger, Vec<Diagnostic>) {
        let mut ledger = Ledger::default();
        let mut problems = Vec::new();
        let roster = root.join(&settings.roster);
        if roster.is_symlink() {
            problems.push(symlink(&settings.roster));
        } else {
            match std::fs::read(&roster) {
                Ok(bytes) => ledger.roster(&settings.roster, &bytes, &mut problems),
                Err(e) => problems.push(unreadable(&settings.roster, &e, "roster")),
            }
        }
        for (path, bytes) in record_files(root, &settings.records, &mut problems) {
            ledger.record_file(&path, &bytes, &mut problems);
        }
        (ledger, problems)
    }

    /// Reads a roster: `email,name,groups` (groups separated by `;`), and an optional
    /// `joined` date; other columns are ignored.
    pub fn roster(&mut self, path: &str, bytes: &[u8], problems: &mut Vec<Diagnostic>) {
        let Some(mut table) = Table::open(path, bytes, &["email", "name", "groups"], problems)
        else {
            return;
        };
        let joined_column = table.column("joined");
        while let Some((line, row, record)) = table.next(problems) {
            let email = row[0].trim().to_lowercase();
            if !email.contains('@') {
                problems.push(bad_row(
                    path,
                    line,
                    "the `email` field is not an e-mail address".to_string(),
                ));
                continue;
            }
            let joined = match joined_column.map(|c| record.get(c).map_or("", str::trim)) {
                Some("") | None => None,
                Some(text) => match parse_date(text) {
                    Ok(date) => Some(date),
                    Err(why) => {
                        problems.push(bad_row(
                            path,
                            line,
                            format!("joined: {}", why.message(text)),
                        ));
                        continue;
                    }
                },
            };
            if self.people.contains_key(&email) {
                problems.push(bad_row(
                    path,
                    line,
                    "this e-mail address is listed twice; the first row is kept".to_string(),
                ));
                continue;
            }
            let groups: Vec<String> = row[2]
                .split(';')
                .map(|g| g.trim().to_lowercase())
                .filter(|g| !g.is_empty())
                .collect();
            for group in &groups {
                self.groups
                    .entry(group.clone())
                    .or_insert_with(|| (path.to_string(), line));
            }
            let name = row[1].trim().to_string();
            self.people.insert(
                email.clone(),
                Person {
                    email,
                    name,
                    groups,
                    joined,
                },
            );
        }
    }

    /// Reads a records file: `email,document,version,date`.
    pub fn record_file(&mut self, path: &str, bytes: &[u8], problems: &mut Vec<Diagnostic>) {
        let Some(mut table) = Table::open(
            path,
            bytes,
            &["email", "document", "version", "date"],
            problems,
        ) else {
            return;
        };
        while let Some((line, row, _)) = table.next(problems) {
            let email = row[0].trim().to_lowercase();
            let document = row[1].trim().to_string();
            let problem = if !email.contains('@') {
                Some("the `email` field is not an e-mail address".to_string())
            } else if document.is_empty() {
                Some("the document id is empty".to_string())
            } else {
                None
            };
            let version = record_version(row[2].trim());
            let date = parse_date(row[3].trim());
            let problem = problem.or_else(|| match (&version, &date) {
                (Err(()), _) => Some(format!("`{}` is not a version such as 1.0", row[2].trim())),
                (_, Err(why)) => Some(why.message(row[3].trim())),
                _ => None,
            });
            if let Some(message) = problem {
                problems.push(bad_row(path, line, message));
                continue;
            }
            if let (Ok(version), Ok(date)) = (version, date) {
                self.seen
                    .entry(document.clone())
                    .or_insert_with(|| (path.to_string(), line));
                self.acknowledged
                    .entry(document)
                    .or_default()
                    .entry(email)
                    .or_default()
                    .push((version, date));
                self.records += 1;
            }
        }
    }

    /// The e-mail addresses of an audience: role members, people of groups, or
    /// everyone on the roster. Names that are neither are left to the checks.
    pub fn audience(&self, names: &[String], config: &Config) -> BTreeSet<String> {
        let mut emails = BTreeSet::new();
        for name in names {
            if name.eq_ignore_ascii_case(EVERYONE) {
                emails.extend(self.people.keys().cloned());
            } else if let Some(role) = config
                .roles
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, role)| role)
            {
                emails.extend(role.members.iter().map(|m| m.trim().to_lowercase()));
            } else {
                let group = name.to_lowercase();
                emails.extend(
                    self.people
                        .values()
                        .filter(|p| p.groups.contains(&group))
                        .map(|p| p.email.clone()),
                );
            }
        }
        emails
    }

    /// How far `audience` has acknowledged `version` of document `id` as of `today`.
    /// An acknowledgement of X.Y covers every X.*: a new major version needs a new
    /// one. `since` is the day that major version took effect; acknowledgements are
    /// due `due_days` later (or after the person joined, when later).
    pub fn coverage(
        &self,
        id: &str,
        version: Version,
        audience: &BTreeSet<String>,
        since: NaiveDate,
        due_days: u32,
        today: NaiveDate,
    ) -> Coverage {
        let acknowledged = self.acknowledged.get(id);
        let due = since.checked_add_days(Days::new(due_days.into()));
        let mut coverage = Coverage {
            audience: audience.len(),
            due,
            ..Coverage::default()
        };
        for email in audience {
            let covered = acknowledged
                .and_then(|by| by.get(email))
                .is_some_and(|versions| {
                    versions
                        .iter()
                        .any(|(v, date)| v.major == version.major && *date <= today)
                });
            if covered {
                coverage.acknowledged += 1;
                continue;
            }
            let joined = self.people.get(email).and_then(|p| p.joined);
            let due = match joined {
                Some(joined) if joined > since => {
                    joined.checked_add_days(Days::new(due_days.into()))
                }
                _ => due,
            };
            let overdue = due.is_some_and(|due| today > due);
            coverage.overdue += usize::from(overdue);
            coverage.missing.push(Missing {
                email: email.clone(),
                due,
                overdue,
            });
        }
        coverage
            .missing
            .sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.email.cmp(&b.email)));
        coverage
    }

    /// A person's name, or the e-mail address when the roster does not list them.
    pub fn name_of<'a>(&'a self, email: &'a str) -> &'a str {
        self.people
            .get(email)
            .map_or(email, |p| p.name.as_str())
            .trim()
    }
}

/// The `.csv` files of the records folder and its subfolders, in path order.
/// Symbolic links are reported and never followed, as for documents: nothing outside
/// the repository is read.
fn record_files(
    root: &Path,
    folder: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, Vec<u8>)> {
    let base = root.join(folder);
    if let Err(e) = std::fs::read_dir(&base) {
        problems.push(unreadable(folder, &e, "records folder"));
        return Vec::new();
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&base)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let path = relative.to_string_lossy().replace('\\', "/");
        if !path.to_ascii_lowercase().ends_with(".csv") {
            continue;
        }
        if entry.path_is_symlink() {
            problems.push(symlink(&path));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => files.push((path, bytes)),
            Err(e) => problems.push(unreadable(&path, &e, "records file")),
        }
    }
    files
}

fn symlink(path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SymlinkSkipped,
        path,
        format!("{path} is a symbolic link, which is never followed"),
    )
    .hint("copy the export into the repository's folder instead of linking to it")
}

/// A CSV file with required columns, read row by row with each row's line.
struct Table<'a> {
    path: &'a str,
    bytes: &'a [u8],
    reader: csv::Reader<&'a [u8]>,
    /// The last byte offset whose line is known, and that line: lines are counted
    /// from byte offsets (csv's own line count is off by one after CRLF line ends).
    counted: (usize, usize),
    /// Positions of the required columns, in the order asked.
    columns: Vec<usize>,
    headers: Vec<String>,
}

impl<'a> Table<'a> {
    fn open(
        path: &'a str,
        bytes: &'a [u8],
        required: &[&str],
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Table<'a>> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::None)
            .from_reader(bytes);
        let headers: Vec<String> = match reader.headers() {
            Ok(headers) => headers
                .iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
                .collect(),
            Err(e) => {
                problems.push(
                    Diagnostic::new(
                        Code::LedgerUnreadable,
                        path,
                        format!("{path} cannot be read as CSV: {e}"),
                    )
                    .hint("save it as UTF-8 CSV with a header line"),
                );
                return None;
            }
        };
        let mut columns = Vec::new();
        for name in required {
            match headers.iter().position(|h| h == name) {
                Some(i) => columns.push(i),
                None => {
                    problems.push(
                        Diagnostic::new(
                            Code::LedgerUnreadable,
                            path,
                            format!("the header of {path} has no `{name}` column"),
                        )
                        .span(crate::text::Position::new(1, 1), 1)
                        .hint(if headers.iter().any(|h| h.contains(';')) {
                            "the file separates its fields with `;`: export it with commas"
                                .to_string()
                        } else {
                            format!("the first line names the columns: {}", required.join(","))
                        }),
                    );
                    return None;
                }
            }
        }
        Some(Table {
            path,
            bytes,
            reader,
            counted: (0, 1),
            columns,
            headers,
        })
    }

    /// The 1-based line of a byte offset at or after the last one asked.
    fn line_of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(offset) = position.map(|p| p.byte() as usize) else {
            return self.counted.1;
        };
        let (from, line) = self.counted;
        let mut offset = offset.clamp(from, self.bytes.len());
        // After a CR, the record's position can be the LF that ends the line before.
        while self
            .bytes
            .get(offset)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            offset += 1;
        }
        let more = self.bytes[from..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted = (offset, line + more);
        line + more
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The next row that has every required column, with its line: the required
    /// fields in the order asked, and the whole record (for optional columns).
    /// Malformed rows are reported and skipped.
    fn next(
        &mut self,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<(usize, Vec<String>, csv::StringRecord)> {
        loop {
            let mut record = csv::StringRecord::new();
            match self.reader.read_record(&mut record) {
                Ok(false) => return None,
                Ok(true) => {
                    let line = self.line_of(record.position());
                    if record.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    let row: Option<Vec<String>> = self
                        .columns
                        .iter()
                        .map(|&i| record.get(i).map(str::to_string))
                        .collect();
                    match row {
                        Some(row) => return Some((line, row, record)),
                        None => problems.push(bad_row(
                            self.path,
                            line,
                            format!(
                                "the row has {} fields, the header {}",
                                record.len(),
                                self.headers.len()
                            ),
                        )),
                    }
                }
                Err(e) => {
                    let line = self.line_of(e.position());
                    let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                    let message = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => {
                            "the row is not valid UTF-8 text; export the file as UTF-8".to_string()
                        }
                        _ => format!("the row cannot be read as CSV: {e}"),
                    };
                    problems.push(bad_row(self.path, line, message));
                    if fatal {
                        return None;
                    }
                }
            }
        }
    }
}

/// A version as learning systems export it: `2.1`, or a bare `2` for 2.0.
fn record_version(text: &str) -> Result<Version, ()> {
    match text.parse::<u32>() {
        Ok(major) => Ok(Version { major, minor: 0 }),
        Err(_) => text.parse(),
    }
}

/// A malformed row: reported at its line, and skipped.
fn bad_row(path: &str, line: usize, message: String) -> Diagnostic {
    Diagnostic::new(Code::LedgerRowInvalid, path, message)
        .span(crate::text::Position::new(line.max(1), 1), 1)
        .hint("correct the row in the system it is exported from; the other rows are read")
}

fn unreadable(path: &str, error: &std::io::Error, what: &str) -> Diagnostic {
    let message = match error.kind() {
        std::io::ErrorKind::NotFound => format!("the {what} {path} does not exist"),
        _ => format!("the {what} {path} cannot be read: {error}"),
    };
    Diagnostic::new(Code::LedgerUnreadable, path, message).hint(
        "export it from the HR or learning system to that path, or correct [acknowledgements] in book.toml",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn config() -> Config {
        Config::parse(
            Path::new("/repo"),
            "[book]\ntitle = \"T\"\norganization = \"O\"\n[roles.CISO]\nname = \"C\"\nmembers = [\"Ciso@Example.com\"]\n[groups.engineering]\nname = \"Engineering\"\n",
        )
        .unwrap()
    }

    fn ledger() -> (Ledger, Vec<Diagnostic>) {
        let mut ledger = Ledger::default();
        let mut problems = Vec::new();
        let roster = "\u{feff}email,name,groups,joined\r\nann@example.com,Ann,Engineering;Sales,\r\n\"bo@example.com\",\"Bo, Jr.\",engineering,2026-06-20\r\ncy@example.com,Cy,finance,\r\nnot-an-address,X,,\r\nann@example.com,Ann again,,\r\n";
        ledger.roster("people.csv", roster.as_bytes(), &mut problems);
        let records = "email,document,version,date\nANN@example.com,POL-AC,2.0,2026-06-02\nbo@example.com,POL-AC,1.4,2026-06-25\ncy@example.com,POL-AC,2.1,2026-12-01\nann@example.com,POL-AC,two,2026-06-01\nann@example.com,POL-AC\n";
        ledger.record_file(
            "acknowledgements/lms.csv",
            records.as_bytes(),
            &mut problems,
        );
        (ledger, problems)
    }

    #[test]
    fn rows_are_read_and_bad_ones_reported_at_their_line() {
        let (ledger, problems) = ledger();
        assert_eq!(ledger.people.len(), 3);
        assert_eq!(ledger.people["bo@example.com"].name, "Bo, Jr.");
        assert_eq!(ledger.records, 3);
        let found: Vec<_> = problems.iter().map(|p| (p.file.as_str(), p.line)).collect();
        assert_eq!(
            found,
            [
                ("people.csv", 5),
                ("people.csv", 6),
                ("acknowledgements/lms.csv", 5),
                ("acknowledgements/lms.csv", 6)
            ],
            "{problems:#?}"
        );
    }

    #[test]
    fn a_major_version_needs_its_own_acknowledgement_and_falls_due_after_due_days() {
        let (ledger, _) = ledger();
        let config = config();
        let audience = ledger.audience(&["engineering".to_string(), "CISO".to_string()], &config);
        assert_eq!(
            audience.iter().map(String::as_str).collect::<Vec<_>>(),
            ["ann@example.com", "bo@example.com", "ciso@example.com"]
        );
        // 2.3 in effect since 2026-06-01: Ann's 2.0 covers it; Bo acknowledged 1.4
        // only; the CISO never did. Due 30 days later.
        let version = Version { major: 2, minor: 3 };
        let since = date("2026-06-01");
        let before = ledger.coverage("POL-AC", version, &audience, since, 30, date("2026-07-01"));
        assert_eq!((before.acknowledged, before.overdue), (1, 0));
        let after = ledger.coverage("POL-AC", version, &audience, since, 30, date("2026-07-02"));
        assert_eq!((after.acknowledged, after.overdue), (1, 1), "{after:?}");
        // Bo joined on 2026-06-20: his acknowledgement is due on 2026-07-20.
        let missing: Vec<(&str, bool, String)> = after
            .missing
            .iter()
            .map(|m| (m.email.as_str(), m.overdue, m.due.unwrap().to_string()))
            .collect();
        assert_eq!(
            missing,
            [
                ("ciso@example.com", true, "2026-07-01".to_string()),
                ("bo@example.com", false, "2026-07-20".to_string())
            ]
        );
        let late = ledger.coverage("POL-AC", version, &audience, since, 30, date("2026-07-21"));
        assert_eq!(late.overdue, 2);
        // An acknowledgement dated after the day judged does not count yet.
        let everyone = ledger.audience(&[EVERYONE.to_string()], &config);
        let cy = ledger.coverage("POL-AC", version, &everyone, since, 30, date("2026-11-30"));
        assert_eq!((cy.audience, cy.acknowledged), (3, 1));
    }
}
