//! The registers on real repositories: the risk register and its ties to the SoA (each
//! check at its place), the register as a controlled document in git, its pages and
//! exports; the acknowledgement ledger's arithmetic (major and minor versions, due
//! days, joiners, audiences by group and role), its malformed rows, and the privacy of
//! the names it holds.

mod common;
use common::*;
use serde_json::Value;

const REGISTER_HEAD: &str = "version: \"1.0\"\nstatus: approved\nowner: CISO\napprovers: [CEO]\napproved_by: CEO\napproved_on: 2026-03-01\nchange: First register\nrisks:\n";

/// Three risks: R-01 (mitigated by 5.1 and 8.5), R-02 (transferred), R-03 (accepted
/// within the appetite).
const RISKS: &str = "  R-01:\n    title: Phishing\n    owner: CISO\n    likelihood: likely\n    impact: major\n    treatment: mitigate\n    controls: [\"5.1\", \"8.5\"]\n    residual_likelihood: unlikely\n    residual_impact: moderate\n  R-02:\n    title: Cost of a breach\n    owner: CEO\n    likelihood: unlikely\n    impact: severe\n    treatment: transfer\n    residual_likelihood: unlikely\n    residual_impact: minor\n  R-03:\n    title: Office line fails\n    owner: IT\n    likelihood: possible\n    impact: minor\n    treatment: accept\n";

/// The clean repository with a register: every SoA entry gives a basis, 5.1 and 8.5
/// cite R-01.
fn with_register() -> Repo {
    let repo = Repo::clean();
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{RISKS}"));
    repo.write(
        "soa.yaml",
        &soa(|id| {
            let basis = match id {
                "5.1" | "8.5" => "    risks: [R-01]\n",
                _ => "    basis: [best-practice]\n",
            };
            format!(
                "    applicable: true\n    status: implemented\n    justification: Needed.\n{basis}"
            )
        }),
    );
    repo
}

/// The line of the first occurrence of `needle` in a file of the repository.
fn line_of(repo: &Repo, path: &str, needle: &str) -> u64 {
    repo.read(path)
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in {path}")) as u64
        + 1
}

#[test]
fn a_register_with_risks_behind_the_soa_is_clean() {
    let repo = with_register();
    let checked = repo.check();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

#[test]
fn soa_references_resolve_and_every_applicable_control_has_a_basis() {
    let repo = with_register();
    let soa = repo
        .read("soa.yaml")
        .replace("  A.5.2:\n    applicable: true\n    status: implemented\n    justification: Needed.\n    basis: [best-practice]\n", "  A.5.2:\n    applicable: true\n    status: implemented\n    justification: Needed.\n")
        .replace("  A.5.3:\n    applicable: true\n    status: implemented\n    justification: Needed.\n    basis: [best-practice]\n", "  A.5.3:\n    applicable: true\n    status: implemented\n    justification: Needed.\n    risks: [R-09]\n");
    repo.write("soa.yaml", &soa);
    let checked = repo.check();
    let line = line_of(&repo, "soa.yaml", "A.5.3:");
    let d = checked.assert_at("unknown-risk", "error", "soa.yaml", line, 3);
    assert!(d["message"].as_str().unwrap().contains("R-09"), "{d}");
    // A.5.3 cites a risk, even an unknown one: its basis is not reported twice.
    let line = line_of(&repo, "soa.yaml", "A.5.2:");
    checked.assert_at("control-without-basis", "warning", "soa.yaml", line, 3);
    assert_eq!(checked.diagnostics.len(), 2, "{:#?}", checked.diagnostics);

    // A basis that is not one of the four is an SoA error with a hint.
    let soa = soa.replacen("basis: [best-practice]", "basis: [best-practise]", 1);
    repo.write("soa.yaml", &soa);
    let d = repo.check().one("soa-invalid").clone();
    assert!(d["hint"].as_str().unwrap().contains("best-practice"), "{d}");
}

#[test]
fn a_risk_to_mitigate_may_not_rely_on_an_excluded_control() {
    let repo = with_register();
    let soa = repo.read("soa.yaml").replace(
        "  A.8.5:\n    applicable: true\n    status: implemented\n    justification: Needed.\n    risks: [R-01]\n",
        "  A.8.5:\n    applicable: false\n    justification: \"No systems of our own: everything is a supplier's service.\"\n",
    );
    repo.write("soa.yaml", &soa);
    let policy = repo.read("policies/security.md").replace("\"8.5\", ", "");
    repo.write("policies/security.md", &policy);
    let checked = repo.check();
    let line = line_of(&repo, "risks.yaml", "controls: [\"5.1\", \"8.5\"]");
    let d = checked.assert_at("risk-control-excluded", "error", "risks.yaml", line, 24);
    assert!(d["message"].as_str().unwrap().contains("A.8.5"), "{d}");
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
}

#[test]
fn what_remains_above_the_appetite_is_accepted_by_the_owner() {
    let repo = with_register();
    // R-01 after treatment: likely x moderate = 12, above the default appetite (6).
    let risks = RISKS.replace(
        "residual_likelihood: unlikely\n    residual_impact: moderate",
        "residual_likelihood: likely\n    residual_impact: moderate",
    );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
    let checked = repo.check();
    let line = line_of(&repo, "risks.yaml", "residual_likelihood: likely");
    let d = checked.assert_at("residual-not-accepted", "error", "risks.yaml", line, 26);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("12 (likely × moderate)"),
        "{d}"
    );
    // Accepted by another role than the owner: still an error, at accepted_by.
    let by_ceo = risks.replace(
        "residual_impact: moderate\n",
        "residual_impact: moderate\n    accepted_by: CEO\n    accepted_on: 2026-03-01\n",
    );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{by_ceo}"));
    let d = repo.check().one("residual-not-accepted").clone();
    assert!(
        d["message"].as_str().unwrap().contains("its owner is CISO"),
        "{d}"
    );
    // Accepted by the owner: clean.
    repo.write(
        "risks.yaml",
        &format!(
            "{REGISTER_HEAD}{}",
            by_ceo.replace("accepted_by: CEO", "accepted_by: CISO")
        ),
    );
    let checked = repo.check();
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

#[test]
fn treatments_and_reviews_fall_due() {
    let repo = with_register();
    let soa = repo.read("soa.yaml").replace(
        "  A.5.1:\n    applicable: true\n    status: implemented\n",
        "  A.5.1:\n    applicable: true\n    status: partial\n",
    );
    repo.write("soa.yaml", &soa);
    let risks = RISKS.replacen(
        "    residual_impact: moderate\n",
        "    residual_impact: moderate\n    due: 2026-06-30\n",
        1,
    );
    // The register was approved on 2025-03-01 and R-02 is reviewed every 6 months:
    // the register's review is past, which says it of every risk due with it, and
    // R-02's own review is past too. R-03 was reviewed since: not due.
    let head = REGISTER_HEAD.replace("approved_on: 2026-03-01", "approved_on: 2025-03-01");
    let risks = risks
        .replace("  R-02:\n", "  R-02:\n    review_months: 6\n")
        .replace("  R-03:\n", "  R-03:\n    reviewed_on: 2026-02-01\n");
    repo.write("risks.yaml", &format!("{head}{risks}"));
    let checked = repo.check();
    let line = line_of(&repo, "risks.yaml", "due: 2026-06-30");
    let d = checked.assert_at("treatment-overdue", "warning", "risks.yaml", line, 10);
    assert!(d["message"].as_str().unwrap().contains("A.5.1"), "{d}");
    let reviews = checked.with_code("review-overdue");
    let places: Vec<_> = reviews
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        places,
        [
            ("risks.yaml", 6),
            ("risks.yaml", line_of(&repo, "risks.yaml", "R-02:")),
        ],
        "the register itself and the risk with its own interval: {reviews:#?}"
    );
}

#[test]
fn each_bad_value_of_a_risk_is_reported_at_its_place() {
    let repo = with_register();
    let broken = RISKS
        .replace("likelihood: likely", "likelihood: likley")
        .replace(
            "    treatment: transfer\n",
            "    treatment: transfer\n    owner_team: finance\n",
        )
        .replace("    owner: IT\n", "    owner: OPS\n")
        .replace(
            "    impact: minor\n    treatment: accept\n",
            "    treatment: accept\n",
        );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{broken}"));
    let checked = repo.check();
    let found: Vec<(String, u64, String)> = checked
        .diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["hint"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |needle: &str| line_of(&repo, "risks.yaml", needle);
    let expect = [
        ("risk-invalid", at("likley"), "did you mean `likely`?"),
        ("risk-invalid", at("owner_team"), "the keys of a risk are"),
        ("unknown-role", at("owner: OPS"), "book.toml"),
        ("risk-invalid", at("R-03:"), "add impact: one of negligible"),
    ];
    for (code, line, hint) in expect {
        assert!(
            found
                .iter()
                .any(|(c, l, h)| c == code && *l == line && h.contains(hint)),
            "{code} at {line} with `{hint}`: {found:#?}"
        );
    }
    // One fault, one finding: nothing else is reported.
    assert_eq!(found.len(), 4, "{found:#?}");
}

#[test]
fn scales_and_appetite_come_from_book_toml() {
    let repo = with_register();
    let book = format!(
        "{BOOK_TOML}\n[risks]\nlikelihood = [\"low\", \"medium\", \"high\"]\nimpact = [\"low\", \"medium\", \"high\"]\nappetite = 3\n"
    );
    repo.write("book.toml", &book);
    let risks = "  R-01:\n    title: Phishing\n    owner: CISO\n    likelihood: high\n    impact: 2\n    treatment: mitigate\n    controls: [\"5.1\", \"8.5\"]\n    residual_likelihood: medium\n    residual_impact: Medium\n";
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
    let d = repo.check().one("residual-not-accepted").clone();
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("4 (medium × medium), above the appetite of 3"),
        "{d}"
    );
    // An appetite outside the ratings is a configuration error at its line.
    repo.write("book.toml", &book.replace("appetite = 3", "appetite = 10"));
    let output = repo.cmd(&["check", "--verbose"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("appetite = 10 is outside the ratings 1 to 9"),
        "{stderr}"
    );
    assert!(stderr.contains("book.toml:"), "{stderr}");
}

#[test]
fn a_missing_register_is_one_warning() {
    // The SoA cites risks and there is no register: one finding, not one per
    // reference.
    let repo = Repo::clean();
    let soa = repo.read("soa.yaml").replace(
        "justification: Risk R-01.\n",
        "justification: Risk R-01.\n    risks: [R-01]\n",
    );
    repo.write("soa.yaml", &soa);
    let checked = repo.check();
    let d = checked.assert_at("risk-register-missing", "warning", "soa.yaml", 8, 1);
    assert!(
        d["message"].as_str().unwrap().contains("cites 1 risk"),
        "{d}"
    );
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
    // Named in book.toml and missing: said on book.toml.
    repo.write(
        "book.toml",
        &format!("{BOOK_TOML}\n[risks]\nregister = \"registers/risks.yaml\"\n"),
    );
    let d = repo.check().one("risk-register-missing").clone();
    assert_eq!(d["file"], "book.toml");
}

#[test]
fn the_register_is_a_controlled_document_in_git() {
    let repo = with_register();
    repo.git_init();
    repo.commit(
        "ISMS with a risk register",
        "Carol",
        "2026-03-01T10:00:00+00:00",
    );
    repo.git(&["checkout", "-q", "-b", "rerate"]);
    let rerated = RISKS.replace(
        "likelihood: likely\n    impact: major",
        "likelihood: possible\n    impact: major",
    );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{rerated}"));
    let d = repo
        .check_with(&["--base", "main"])
        .one("version-not-raised")
        .clone();
    assert_eq!(d["file"], "risks.yaml");
    let head = REGISTER_HEAD
        .replace("version: \"1.0\"", "version: \"1.1\"")
        .replace("approved_on: 2026-03-01", "approved_on: 2026-06-01")
        .replace(
            "change: First register",
            "change: \"R-01 re-rated after the phishing training\"",
        );
    repo.write("risks.yaml", &format!("{head}{rerated}"));
    repo.commit("Re-rate R-01", "Carol", "2026-06-01T10:00:00+00:00");
    let checked = repo.check_with(&["--base", "main"]);
    assert!(
        checked.diagnostics.iter().all(|d| d["severity"] != "error"),
        "{:#?}",
        checked.diagnostics
    );
    let diff = repo.cmd(&["diff", "main..HEAD"]).output().unwrap();
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(
        diff.contains("| **risks.yaml** Risk Register | changed | 1.0 → 1.1 |"),
        "{diff}"
    );
    assert!(
        diff.contains(
            "| R-01 Phishing | 16 → 6, mitigate (A.5.1, A.8.5) | 12 → 6, mitigate (A.5.1, A.8.5) |"
        ),
        "{diff}"
    );
    let log = repo.log("risks.yaml");
    let versions: Vec<&str> = log["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["1.0", "1.1"]);
    assert_eq!(log["title"], "Risk Register");
    let codeowners = repo.cmd(&["codeowners"]).output().unwrap();
    let codeowners = String::from_utf8_lossy(&codeowners.stdout);
    assert!(
        codeowners.contains("/risks.yaml @test/security"),
        "{codeowners}"
    );
}

#[test]
fn the_register_pages_trace_risk_to_control_to_document() {
    let repo = with_register();
    let soa = repo.read("soa.yaml").replace(
        "  A.8.5:\n    applicable: true\n    status: implemented\n",
        "  A.8.5:\n    applicable: true\n    status: planned\n",
    );
    repo.write("soa.yaml", &soa);
    let risks = RISKS.replacen(
        "    residual_impact: moderate\n",
        "    residual_impact: moderate\n    due: 2027-03-31\n",
        1,
    );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
    let output = repo.cmd(&["build"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The heat maps: R-01 before treatment in likely x major, after in unlikely x
    // moderate; every cell of the 5 x 5 grid is drawn.
    let index = repo.read("book/risks/index.html");
    assert_eq!(index.matches("<g class=\"cell ").count(), 50);
    assert!(index.contains("<g class=\"cell high\" data-likelihood=\"4\" data-impact=\"4\" data-count=\"1\"><title>likely × major (16): R-01</title>"), "{index}");
    assert!(index.contains("data-likelihood=\"2\" data-impact=\"3\" data-count=\"1\"><title>unlikely × moderate (6): R-01</title>"), "{index}");
    assert!(
        index.contains("<a href=\"../risks/R-01.html\">R-01</a>"),
        "{index}"
    );
    assert!(index.contains("Risk Register, version 1.0"), "{index}");

    // A risk's page: its controls with their SoA decision and the documents.
    let page = repo.read("book/risks/R-01.html");
    assert!(page.contains("<a href=\"../controls/8.5.html\">A.8.5 Secure authentication</a></td><td>yes</td><td>planned <span class=\"badge warn\">open</span>"), "{page}");
    assert!(
        page.contains(
            "<a href=\"../policies/security.html\">POL-SEC Information Security Policy</a>"
        ),
        "{page}"
    );
    // The control's page links back to the risk; the treatment plan lists it.
    let control = repo.read("book/controls/8.5.html");
    assert!(
        control.contains("<a href=\"../risks/R-01.html\">R-01 Phishing</a>"),
        "{control}"
    );
    let plan = repo.read("book/treatment.html");
    assert!(
        plan.contains("R-01 Phishing") && plan.contains("2027-03-31"),
        "{plan}"
    );
    assert!(
        plan.contains("R-03 Office line fails</a>: within the appetite"),
        "{plan}"
    );

    // The exports.
    let csv = repo.read("book/risks.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,title,owner,likelihood,impact,inherent,treatment,controls,residual_likelihood,residual_impact,residual,accepted_by,accepted_on,due,next_review"
    );
    assert_eq!(
        lines.next().unwrap(),
        "R-01,Phishing,CISO,likely,major,16,mitigate,A.5.1 A.8.5,unlikely,moderate,6,,,2027-03-31,2027-03-01"
    );
    let json: Value = serde_json::from_str(&repo.read("book/handbook.json")).unwrap();
    assert_eq!(json["risks"]["appetite"], 6);
    assert_eq!(
        json["risks"]["risks"][0]["controls"],
        serde_json::json!(["5.1", "8.5"])
    );
    assert_eq!(json["risks"]["version"], "1.0");

    // Confidential register, internal build: no risk pages, no links to them.
    let book = format!("{BOOK_TOML}\n[risks]\nclassification = \"confidential\"\n");
    repo.write("book.toml", &book);
    let output = repo
        .cmd(&[
            "build",
            "--max-classification",
            "internal",
            "--dest",
            "internal",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!repo.path().join("internal/risks").exists());
    assert!(!repo.path().join("internal/risks.csv").exists());
    let control = repo.read("internal/controls/8.5.html");
    // The SoA's own reference stays; nothing of the register (titles, links) does.
    assert!(
        control.contains("R-01") && !control.contains("Phishing"),
        "{control}"
    );
    assert!(!control.contains("risks/R-01.html"), "{control}");
    let json: Value = serde_json::from_str(&repo.read("internal/handbook.json")).unwrap();
    assert!(json.get("risks").is_none());
}

/// A repository with a ledger: an engineering group, a roster of five and the
/// access procedure at 2.1 (2.0 approved on 2026-06-01), for engineering and the
/// CISO role.
fn with_ledger(records: &str) -> Repo {
    let repo = Repo::clean();
    let book = BOOK_TOML.replace(
        "[roles.CISO]\nname = \"Chief Information Security Officer\"\n",
        "[roles.CISO]\nname = \"Chief Information Security Officer\"\nmembers = [\"cy.iso@example.com\"]\n",
    );
    repo.write(
        "book.toml",
        &format!("{book}\n[groups.engineering]\nname = \"Engineering\"\n\n[acknowledgements]\nroster = \"people.csv\"\nrecords = \"acknowledgements\"\ndue-days = 30\n"),
    );
    repo.write(
        "people.csv",
        "email,name,groups,joined\nann@example.com,Ann Able,Engineering,\nbo@example.com,Bo Builder,engineering;sales,\ncy@example.com,Cy Coder,engineering,\ndee@example.com,Dee Dev,engineering,2026-11-01\ned@example.com,Ed Sales,sales,\n",
    );
    repo.write("acknowledgements/lms.csv", records);
    repo.git_init();
    let access = |version: &str, approved_on: &str| {
        repo.read("procedures/access.md")
            .replace("version: \"1.0\"", &format!("version: \"{version}\""))
            .replace(
                "approved_on: 2026-06-01",
                &format!("approved_on: {approved_on}"),
            )
            .replace(
                "related: [POL-SEC]",
                "related: [POL-SEC]\naudience: [engineering, CISO]",
            )
            .replace("## Steps\n", &format!("## Steps\n\nVersion {version}.\n"))
    };
    let original = repo.read("procedures/access.md");
    repo.write("procedures/access.md", &access("1.0", "2026-01-10"));
    repo.commit("Access procedure 1.0", "Carol", "2026-01-10T10:00:00+00:00");
    repo.write("procedures/access.md", &original);
    repo.write("procedures/access.md", &access("2.0", "2026-06-01"));
    repo.commit("Access procedure 2.0", "Carol", "2026-06-01T10:00:00+00:00");
    repo.write("procedures/access.md", &original);
    repo.write("procedures/access.md", &access("2.1", "2026-09-01"));
    repo.commit("Access procedure 2.1", "Carol", "2026-09-01T10:00:00+00:00");
    repo
}

/// Ann acknowledged 2.0 (covers 2.1); Bo only 1.3; Cy 2.1 but on a day after the day
/// judged; Dee joined on 2026-11-01 (due 2026-12-01); the CISO member never did. Ed is
/// not in the audience.
const RECORDS: &str = "email,document,version,date\nANN@example.com,PRC-AC,2.0,2026-06-10\nbo@example.com,PRC-AC,1.3,2026-02-01\ncy@example.com,PRC-AC,2.1,2026-11-30\ned@example.com,PRC-AC,2.1,2026-09-02\n";

#[test]
fn acknowledgements_count_by_major_version_due_days_and_joiners() {
    let repo = with_ledger(RECORDS);
    let checked = repo.check();
    let line = line_of(&repo, "procedures/access.md", "audience:");
    let d = checked.assert_at(
        "acknowledgement-overdue",
        "warning",
        "procedures/access.md",
        line,
        1,
    );
    assert_eq!(
        d["message"],
        "3 of 5 people in the audience of PRC-AC have not acknowledged version 2.x, due 2026-07-01"
    );
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);

    let output = repo.cmd(&["build"]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_str(&repo.read("book/handbook.json")).unwrap();
    let access = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "PRC-AC")
        .unwrap();
    assert_eq!(
        access["acknowledgement"],
        serde_json::json!({"audience": 5, "acknowledged": 1, "pending": 1, "overdue": 3, "due": "2026-07-01", "percent": 20})
    );
    let register = repo.read("book/index.html");
    assert!(
        register.contains("<td>1/5 <span class=\"badge warn\">3 overdue</span></td>"),
        "{register}"
    );
    let csv = repo.read("book/register.csv");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("PRC-AC,") && l.ends_with(",1,5")),
        "{csv}"
    );
    // Names only on the acknowledgements page, overdue first.
    let page = repo.read("book/acknowledgements.html");
    let bo = page.find("Bo Builder").unwrap();
    let dee = page.find("Dee Dev").unwrap();
    assert!(bo < dee && page.contains("cy.iso@example.com"), "{page}");
    assert!(
        !page.contains("Ann Able") && !page.contains("Ed Sales"),
        "{page}"
    );
    let doc = repo.read("book/procedures/access.html");
    assert!(
        doc.contains("by 1 of 5 in its audience (20%)") && !doc.contains("Bo Builder"),
        "{doc}"
    );
}

#[test]
fn names_stay_out_of_builds_below_the_ledger_s_classification() {
    let repo = with_ledger(RECORDS);
    let output = repo
        .cmd(&[
            "build",
            "--max-classification",
            "internal",
            "--dest",
            "internal",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!repo.path().join("internal/acknowledgements.html").exists());
    for entry in walk(&repo.path().join("internal")) {
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).to_string();
        for name in ["Bo Builder", "bo@example.com", "cy.iso@example.com"] {
            assert!(!text.contains(name), "{name} in {}", entry.display());
        }
    }
    // The counts are not personal data: they stay.
    let register = repo.read("internal/index.html");
    assert!(register.contains("1/5"), "{register}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn malformed_rows_are_reported_at_their_line_and_the_rest_is_read() {
    let records = format!(
        "{RECORDS}bo@example.com,PRC-AC,2.0,2026-02-30\nnot-an-address,PRC-AC,2.0,2026-06-10\nbo@example.com,PRC-AC\nbo@example.com,PRC-AC,2.1,2026-10-01\n"
    );
    let repo = with_ledger(&records);
    let checked = repo.check();
    let rows: Vec<(&str, u64)> = checked
        .with_code("ledger-row-invalid")
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("acknowledgements/lms.csv", 6),
            ("acknowledgements/lms.csv", 7),
            ("acknowledgements/lms.csv", 8)
        ]
    );
    let d = checked.with_code("ledger-row-invalid")[0];
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("February 2026 has 28 days"),
        "{d}"
    );
    // Bo's 2.1 on the last line was read: two are overdue now, not three.
    let d = checked.one("acknowledgement-overdue");
    assert!(d["message"].as_str().unwrap().starts_with("2 of 5"), "{d}");

    // A missing roster is one error; so is a header without the columns.
    repo.remove("people.csv");
    let d = repo.check().one("ledger-unreadable").clone();
    assert_eq!(d["message"], "the roster people.csv does not exist");
    repo.write("people.csv", "mail,name\nann@example.com,Ann\n");
    let d = repo.check().one("ledger-unreadable").clone();
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("people.csv"), Some(1))
    );
}

#[test]
fn an_audience_names_roles_groups_or_everyone() {
    let repo = with_ledger(RECORDS);
    let access = repo.read("procedures/access.md").replace(
        "audience: [engineering, CISO]",
        "audience: [enginering, everyone]",
    );
    repo.write("procedures/access.md", &access);
    let checked = repo.check();
    let line = line_of(&repo, "procedures/access.md", "audience:");
    let d = checked.assert_at(
        "unknown-audience",
        "error",
        "procedures/access.md",
        line,
        12,
    );
    assert_eq!(d["hint"], "did you mean `engineering`?");
    // A group may not take a role's name.
    let book = repo
        .read("book.toml")
        .replace("[groups.engineering]", "[groups.ciso]");
    repo.write("book.toml", &book);
    let output = repo.cmd(&["check", "--verbose"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("group `ciso` has the name of a role")
    );
}

/// The codes found, in order, without the notices about the work tree.
fn codes_of(checked: &Checked) -> Vec<String> {
    checked
        .codes()
        .into_iter()
        .filter(|c| c != "uncommitted-change")
        .collect()
}

#[test]
fn one_fault_in_a_risk_is_one_finding() {
    let repo = with_register();
    let cases: [(&str, &str, &str); 7] = [
        // A misspelt required key: the unknown key, with its correction, only.
        (
            "likelihood: likely\n",
            "likelihod: likely\n",
            "risk-invalid",
        ),
        // A residual value off its scale: not also "a residual rating without".
        (
            "residual_likelihood: unlikely",
            "residual_likelihood: unlikly",
            "risk-invalid",
        ),
        // A date that does not exist: not also "accepted without accepted_on".
        (
            "residual_impact: moderate\n",
            "residual_impact: moderate\n    due: 2026-02-30\n",
            "risk-invalid",
        ),
        // An unknown owner: not also "accepted by another role than the owner".
        (
            "owner: CISO\n    likelihood: likely",
            "owner: CSIO\n    likelihood: likely",
            "unknown-role",
        ),
        // Half a residual rating: not also a rating above the appetite.
        ("    residual_likelihood: unlikely\n", "", "risk-invalid"),
        // An unquoted control number: the number as written, quoted.
        (
            "controls: [\"5.1\", \"8.5\"]",
            "controls: [\"5.1\", 8.50]",
            "unquoted-number",
        ),
        // Treatment must not raise a risk.
        (
            "residual_likelihood: unlikely\n    residual_impact: moderate",
            "residual_likelihood: almost-certain\n    residual_impact: major",
            "risk-invalid",
        ),
    ];
    for (from, to, code) in cases {
        let risks = RISKS.replacen(from, to, 1);
        assert_ne!(risks, RISKS, "{from}");
        repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
        let checked = repo.check();
        assert_eq!(
            codes_of(&checked),
            [code],
            "{to}: {:#?}",
            checked.diagnostics
        );
    }
    let risks = RISKS.replacen(
        "controls: [\"5.1\", \"8.5\"]",
        "controls: [\"5.1\", 8.50]",
        1,
    );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
    let d = repo.check().one("unquoted-number").clone();
    assert_eq!(d["hint"], "quote it: \"8.50\", so it stays text");
    assert_eq!(d["column"], 23);

    // An entry that is not a map is one error, not also one per SoA citation.
    let risks = RISKS.replacen(
        "  R-01:\n    title: Phishing\n",
        "  R-01: Phishing\n  R-09:\n    title: Phishing\n",
        1,
    );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
    assert_eq!(codes_of(&repo.check()), ["risk-invalid"]);
}

#[test]
fn a_risk_id_in_a_description_does_not_move_the_risk() {
    let repo = with_register();
    let risks = RISKS
        .replacen(
            "    title: Phishing\n",
            "    title: Phishing\n    description: |\n      R-02: a breach would also cost money.\n",
            1,
        )
        .replace("likelihood: unlikely\n    impact: severe", "likelihood: unlikely\n    impact: sever");
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
    let d = repo.check().one("risk-invalid").clone();
    assert_eq!(d["line"], line_of(&repo, "risks.yaml", "impact: sever"));
    // An acceptance dated in the future is no acceptance yet.
    let risks = RISKS.replace(
        "residual_likelihood: unlikely\n    residual_impact: moderate",
        "residual_likelihood: likely\n    residual_impact: moderate\n    accepted_by: CISO\n    accepted_on: 2027-01-01",
    );
    repo.write("risks.yaml", &format!("{REGISTER_HEAD}{risks}"));
    let d = repo.check().one("residual-not-accepted").clone();
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("a day still to come"),
        "{d}"
    );
}

#[test]
fn the_ledger_says_what_matches_nothing_and_names_nobody_in_findings() {
    let records = format!(
        "{RECORDS}ann@example.com,prc-ac,2,2026-06-11\nbo@example.com,POL-XYZ,1.0,2026-06-11\n"
    );
    let repo = with_ledger(&records);
    // A roster group that is a slip of a book.toml group.
    let roster = repo.read("people.csv").replace(
        "cy@example.com,Cy Coder,engineering,",
        "cy@example.com,Cy Coder,enginering,",
    );
    repo.write("people.csv", &roster);
    let checked = repo.check();
    let rows: Vec<String> = checked
        .with_code("ledger-row-invalid")
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["hint"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "acknowledgements/lms.csv:6 did you mean `PRC-AC`? Records name documents by their id",
            "acknowledgements/lms.csv:7 records name documents by their id, as in the front matter",
            "people.csv:4 did you mean `engineering`? Its people are in no audience of `engineering`",
        ],
        "{:#?}",
        checked.diagnostics
    );
    // Findings about the ledger never name the person.
    let roster = format!("{roster}ann@example.com,Ann Again,engineering,\n");
    repo.write("people.csv", &roster);
    let output = repo.cmd(&["check", "--verbose"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("people.csv:7"), "{stdout}");
    assert!(
        !stdout.contains("ann@example.com") && !stdout.contains("Ann Again"),
        "{stdout}"
    );
}

#[test]
fn an_audience_of_nobody_is_said_and_roles_match_in_any_case() {
    let repo = with_ledger(RECORDS);
    let access = repo.read("procedures/access.md").replace(
        "audience: [engineering, CISO]",
        "audience: [engineering, ciso, CEO]",
    );
    repo.write("procedures/access.md", &access);
    let checked = repo.check();
    let d = checked.one("audience-empty");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("`CEO` in the audience"),
        "{d}"
    );
    // `ciso` is the CISO role: its member is counted (5 people, as before).
    let d = checked.one("acknowledgement-overdue");
    assert!(
        d["message"].as_str().unwrap().contains("of 5 people"),
        "{d}"
    );
}

#[test]
fn the_current_version_s_effective_date_sets_when_acknowledgements_fall_due() {
    let repo = with_ledger(RECORDS);
    // 3.0, approved today, takes effect on 2027-01-01: nothing is due before 2027-01-31.
    let access = repo
        .read("procedures/access.md")
        .replace("version: \"2.1\"", "version: \"3.0\"")
        .replace(
            "approved_on: 2026-09-01",
            "approved_on: 2026-11-20\neffective: 2027-01-01",
        );
    repo.write("procedures/access.md", &access);
    repo.commit("Access procedure 3.0", "Carol", "2026-11-20T10:00:00+00:00");
    let checked = repo.check_with(&["--today", "2027-01-20"]);
    assert!(
        checked.with_code("acknowledgement-overdue").is_empty(),
        "{:#?}",
        checked.diagnostics
    );
    let d = repo
        .check_with(&["--today", "2027-02-01"])
        .one("acknowledgement-overdue")
        .clone();
    assert!(
        d["message"].as_str().unwrap().ends_with("due 2027-01-31"),
        "{d}"
    );
}
