//! The exports on real repositories, read back as their users read them: the PDFs with
//! a PDF parser (control block, header, footer, page numbers, the watermark on
//! drafts, text an author wrote that Typst would otherwise read as markup), the
//! workbook with an XLSX reader (sheets, header row, the 93 SoA rows, no formula),
//! and the audit pack (its manifest verifies, two packs of one commit are identical).

mod common;
use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The clean repository, committed, with an extra draft and a body written to trip a
/// typesetter up.
fn repo() -> Repo {
    repo_with(|_| {})
}

/// The same, with `change` made before the commit.
fn repo_with(change: impl Fn(&Repo)) -> Repo {
    let repo = Repo::clean();
    change(&repo);
    let access = repo.read("procedures/access.md").replace(
        "## Steps\n",
        "## Steps\n\nUse #tag, $HOME, <b>x</b>, @user, 50% and *stars* \\ in text; `code #here`.\n\n| Step | Who |\n|---|---|\n| Ask | Staff |\n\nA note.[^1]\n\n[^1]: Footnote text.\n",
    );
    repo.write("procedures/access.md", &access);
    repo.write(
        "procedures/draft.md",
        &document(
            &[
                ("id", "PRC-NEW"),
                ("title", "New Procedure"),
                ("version", "\"0.1\""),
                ("owner", "IT"),
                ("change", "First draft"),
            ],
            "# New Procedure\n\nSteps to come.\n",
        ),
    );
    repo.git_init();
    repo.commit("ISMS", "Carol", "2026-06-01T10:00:00+00:00");
    repo
}

/// The text of a PDF, with runs of white space made one space (lines wrap where the
/// layout wraps them).
fn text_of(path: &Path) -> String {
    let text =
        pdf_extract::extract_text(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// N of the first "Page 1 of N" in a PDF's text.
fn pages(text: &str) -> usize {
    let at = text.find("Page 1 of ").expect("a page footer");
    text[at + 10..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[test]
fn each_document_becomes_a_controlled_copy() {
    let repo = repo();
    let stdout = repo.run(&["export", "pdf"]);
    assert!(
        stdout.contains("export: 3 PDFs into exports/pdf/"),
        "{stdout}"
    );
    let dir = repo.path().join("exports/pdf");
    assert!(
        !dir.join("PRC-NEW.pdf").exists(),
        "drafts are not published by default"
    );

    let text = text_of(&dir.join("PRC-AC.pdf"));
    assert_contains_all(
        &text,
        &[
            "PRC-AC, version 1.0",
            "INTERNAL",
            "Access Procedure",
            "Approved by",
            "Chief Information Security Officer (CISO)",
            "A.5.15 Access control",
            "Uncontrolled when printed",
            "Page 1 of",
            "Source commit",
            "Revision history",
            // Typst's own markup characters come out as written; inline HTML is the
            // author's markup, as in the handbook.
            "Use #tag, $HOME, x, @user, 50% and",
            "stars",
            "\\ in text",
            "code #here",
            "Footnote text.",
        ],
    );
    assert!(!text.contains("DRAFT"));

    let book = text_of(&dir.join("handbook.pdf"));
    assert!(book.contains("Contents") && book.contains("Statement of Applicability"));
    assert!(pages(&book) >= 2 + 2, "{book}");
}

#[test]
fn handbook_pdf_is_one_file_numbered_through_with_links_inside() {
    let repo = repo();
    repo.run(&["export", "pdf"]);
    let path = repo.path().join("exports/pdf/handbook.pdf");
    let pdf = lopdf::Document::load(&path).unwrap();
    let page_ids = pdf.get_pages();
    let count = page_ids.len();
    let text = text_of(&path);
    assert_eq!(pages(&text), count, "the footer counts the joined file");
    assert!(text.contains(&format!("Page {count} of {count}")), "{text}");
    assert!(
        !repo.path().join("exports/pdf/handbook.parts").exists(),
        "the parts are removed"
    );

    // Every document, the register and the SoA are named destinations; a page of a
    // document's part has its header.
    let catalog = pdf.catalog().unwrap();
    let dests = pdf
        .get_dictionary(catalog.get(b"Dests").unwrap().as_reference().unwrap())
        .unwrap();
    for name in ["POL-SEC", "PRC-AC", "ismsbook.register", "ismsbook.soa"] {
        assert!(dests.has(name.as_bytes()), "no destination {name}");
    }
    let target = dests.get(b"PRC-AC").unwrap().as_array().unwrap()[0]
        .as_reference()
        .unwrap();
    let number = page_ids.iter().find(|(_, id)| **id == target).unwrap().0;
    let by_page = pdf_extract::extract_text_by_pages(&path).unwrap();
    let page = &by_page[*number as usize - 1];
    assert!(page.contains("PRC-AC, version 1.0"), "{page}");

    // The procedure's link to the policy leads inside the file, to a destination
    // that exists; no link is left as the URI it was typeset with.
    let mut inside = Vec::new();
    for id in page_ids.values() {
        let page = pdf.get_dictionary(*id).unwrap();
        let Ok(annots) = page.get(b"Annots").and_then(|a| a.as_array()) else {
            continue;
        };
        for annot in annots {
            let annot = pdf.get_dictionary(annot.as_reference().unwrap()).unwrap();
            if let Ok(dest) = annot.get(b"Dest").and_then(|d| d.as_name()) {
                inside.push(String::from_utf8_lossy(dest).to_string());
            }
            if let Ok(action) = annot.get(b"A").and_then(|a| a.as_dict()) {
                let uri = action
                    .get(b"URI")
                    .and_then(|u| u.as_str())
                    .unwrap_or_default();
                assert!(!uri.starts_with(b"ismsbook-document:"));
            }
        }
    }
    assert!(inside.iter().all(|d| dests.has(d.as_bytes())), "{inside:?}");
    let to_policy = inside.iter().filter(|d| *d == "POL-SEC").count();
    assert!(
        to_policy >= 3,
        "contents, register and the procedure's body link to the policy: {inside:?}"
    );

    // One bookmark per document, besides the title, contents, register and SoA.
    let outlines = pdf
        .get_dictionary(catalog.get(b"Outlines").unwrap().as_reference().unwrap())
        .unwrap();
    assert_eq!(outlines.get(b"Count").unwrap().as_i64().unwrap(), 2 + 4);
}

#[test]
fn drafts_carry_a_watermark_and_ids_are_checked() {
    let repo = repo();
    repo.run(&["export", "pdf", "prc-new", "--drafts", "--dest", "out"]);
    let text = text_of(&repo.path().join("out/PRC-NEW.pdf"));
    assert!(
        text.contains("DRAFT") && text.contains("not yet in force"),
        "{text}"
    );
    assert!(!repo.path().join("out/handbook.pdf").exists());

    let output = repo.cmd(&["export", "pdf", "PRC-AX"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("did you mean `PRC-AC`?"), "{stderr}");
    // Below a document's classification it is not exported.
    let output = repo
        .cmd(&["export", "pdf", "PRC-AC", "--max-classification", "public"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_past_state_is_exported_as_it_was() {
    let repo = repo();
    let access = repo
        .read("procedures/access.md")
        .replace("version: \"1.0\"", "version: \"1.1\"")
        .replace("approved_on: 2026-06-01", "approved_on: 2026-07-01")
        .replace("change: Initial version", "change: \"More steps\"");
    repo.write("procedures/access.md", &access);
    repo.commit("Access 1.1", "Carol", "2026-07-01T10:00:00+00:00");
    repo.run(&[
        "export", "pdf", "PRC-AC", "--rev", "HEAD~1", "--dest", "then",
    ]);
    let text = text_of(&repo.path().join("then/PRC-AC.pdf"));
    assert!(
        text.contains("PRC-AC, version 1.0") && !text.contains("version 1.1"),
        "{text}"
    );
}

#[test]
fn the_workbook_has_the_soa_the_register_and_the_gaps_as_text() {
    // A justification that a spreadsheet would read as a formula stays text.
    let repo = repo_with(|repo| {
        let soa = repo.read("soa.yaml").replacen(
            "justification: Risk R-01.",
            "justification: \"=HYPERLINK(\\\"http://x\\\") is not a formula here\"",
            1,
        );
        repo.write("soa.yaml", &soa);
    });
    repo.run(&["export", "xlsx"]);
    let mut book: Xlsx<_> = open_workbook(repo.path().join("exports/isms.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["SoA", "Register", "Gaps"]);
    let soa = book.worksheet_range("SoA").unwrap();
    let header: Vec<String> = soa
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        [
            "Control",
            "Title",
            "Theme",
            "Applicable",
            "Status",
            "Basis",
            "Justification",
            "Owner",
            "Implementing documents",
            "Risks"
        ]
    );
    assert_eq!(soa.height(), 1 + 93);
    let first: Vec<String> = soa
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        &first[..5],
        [
            "A.5.1",
            "Policies for information security",
            "Organizational controls",
            "yes",
            "implemented"
        ]
    );
    assert!(first[6].starts_with("=HYPERLINK"), "{first:?}");
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "a formula in {sheet}"
        );
    }
    let register = book.worksheet_range("Register").unwrap();
    assert_eq!(register.height(), 1 + 2, "the two approved documents");
}

#[test]
fn the_audit_pack_is_sealed_and_reproducible() {
    let repo = repo();
    repo.run(&["export", "audit-pack", "--out", "one.zip"]);
    repo.run(&["export", "audit-pack", "--out", "two.zip"]);
    let one = std::fs::read(repo.path().join("one.zip")).unwrap();
    assert_eq!(
        one,
        std::fs::read(repo.path().join("two.zip")).unwrap(),
        "byte-identical"
    );

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(one)).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(entry.name().to_string(), bytes);
    }
    for name in [
        "audit-pack/MANIFEST.txt",
        "audit-pack/isms.xlsx",
        "audit-pack/pdf/handbook.pdf",
        "audit-pack/pdf/PRC-AC.pdf",
        "audit-pack/handbook/index.html",
        "audit-pack/handbook/handbook.json",
        "audit-pack/handbook/soa.csv",
    ] {
        assert!(
            files.contains_key(name),
            "{name} missing: {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    let manifest = String::from_utf8(files["audit-pack/MANIFEST.txt"].clone()).unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert!(
        manifest.contains(&format!("# commit: {}", head.trim())),
        "{manifest}"
    );
    let mut listed = 0;
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = &files[&format!("audit-pack/{name}")];
        assert_eq!(hash, format!("{:x}", Sha256::digest(bytes)), "{name}");
        listed += 1;
    }
    assert_eq!(
        listed,
        files.len() - 1,
        "every file but the manifest is listed"
    );
    // Nothing is left beside the pack.
    let names: Vec<String> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial") || n.starts_with(".one") || n.starts_with(".two"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}
