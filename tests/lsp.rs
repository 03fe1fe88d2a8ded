//! The language server driven over stdio as an editor drives it: initialize, open a
//! document with a defect, receive its diagnostics at the right range, complete,
//! hover, go to a definition, shut down.

mod common;
use common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};

struct Client {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Client {
    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "the server closed its output"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == id {
                return message;
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Waits for the diagnostics of `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

/// Starts the language server on `repo` and initializes it; the client, the process
/// and the repository's `file://` URL.
fn start(repo: &Repo) -> (Client, std::process::Child, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ismsbook"))
        .arg("--root")
        .arg(repo.path())
        .args(["--today", TODAY, "lsp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut client = Client {
        stdin: child.stdin.take().unwrap(),
        stdout: BufReader::new(child.stdout.take().unwrap()),
        next_id: 0,
    };
    let root_uri = format!("file://{}", repo.path().display());
    let initialized = client.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": {}}),
    );
    let capabilities = &initialized["result"]["capabilities"];
    assert!(
        capabilities["completionProvider"].is_object() && capabilities["hoverProvider"] == true,
        "{initialized}"
    );
    client.notify("initialized", json!({}));
    (client, child, root_uri)
}

fn stop(mut client: Client, mut child: std::process::Child) {
    let shutdown = client.request("shutdown", Value::Null);
    assert!(shutdown["error"].is_null(), "{shutdown}");
    client.notify("exit", Value::Null);
    assert!(child.wait().unwrap().success());
}

#[test]
fn an_editor_session() {
    let repo = Repo::clean();
    let (mut client, child, root_uri) = start(&repo);

    // A defect typed in the editor, never saved: line 6 (0-based 5), columns 8 to 13.
    let uri = format!("{root_uri}/procedures/access.md");
    let text = repo
        .read("procedures/access.md")
        .replace("owner: IT", "owner: NOBODY");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let diagnostics = client.diagnostics(&uri);
    let d = diagnostics
        .iter()
        .find(|d| d["code"] == "unknown-role")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    assert_eq!(
        d["range"],
        json!({"start": {"line": 5, "character": 7}, "end": {"line": 5, "character": 13}})
    );
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "ismsbook");

    // Fixed as the author types: the diagnostics are cleared.
    let fixed = repo.read("procedures/access.md");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // A change to another document reaches this one, which is not parsed again: the
    // heading its link points to renamed, then restored.
    let policy_uri = format!("{root_uri}/policies/security.md");
    let policy = repo.read("policies/security.md");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": policy_uri, "languageId": "markdown", "version": 1, "text": policy.replace("## Scope", "## Coverage")}}),
    );
    let diagnostics = client.diagnostics(&uri);
    assert!(
        diagnostics.iter().any(|d| d["code"] == "broken-anchor"),
        "{diagnostics:#?}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": policy_uri, "version": 2}, "contentChanges": [{"text": policy}]}),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // Completion of a control id inside `controls: ["5.15"]` (line 10, 0-based 9).
    let controls_line = fixed
        .lines()
        .position(|l| l.starts_with("controls:"))
        .unwrap() as u64;
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": controls_line, "character": 12}}),
    );
    let items = completion["result"].as_array().unwrap();
    let access = items
        .iter()
        .find(|i| i["label"] == "5.15")
        .unwrap_or_else(|| panic!("{completion}"));
    assert!(
        access["detail"]
            .as_str()
            .unwrap()
            .starts_with("Access control (applicable)"),
        "{access}"
    );
    assert_eq!(items.len(), 93);

    // Completion of keys on an empty front-matter line.
    let keys = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}}),
    );
    let labels: Vec<&str> = keys["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"clauses") && !labels.contains(&"id"),
        "present keys are not offered: {labels:?}"
    );

    // Hover on the control id.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": controls_line, "character": 13}}),
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{hover}"));
    assert!(
        value.contains("A.5.15 Access control") && value.contains("SoA: applicable, implemented"),
        "{value}"
    );

    // Go to the related document.
    let related_line = fixed
        .lines()
        .position(|l| l.starts_with("related:"))
        .unwrap() as u64;
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": {"line": related_line, "character": 12}}),
    );
    assert!(
        definition["result"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/policies/security.md"),
        "{definition}"
    );

    stop(client, child);
}

/// A control of a project catalog is known alike to `check`, to the editor's
/// diagnostics and completion, and to the JSON Schema: they all assemble the handbook
/// the same way.
#[test]
fn a_project_catalog_id_is_known_to_check_the_editor_and_the_schema() {
    let repo = Repo::clean();
    repo.write(
        "book.toml",
        &BOOK_TOML.replace(
            "[roles.CEO]",
            "[controls]\ncatalogs = [\"catalogs/own.yaml\"]\n\n[roles.CEO]",
        ),
    );
    repo.write(
        "catalogs/own.yaml",
        "name: Own controls\ncontrols:\n  - {id: OWN-7, title: Laptops are encrypted}\n",
    );
    let text = repo
        .read("procedures/access.md")
        .replace("controls: [\"5.15\"]", "controls: [\"5.15\", \"OWN-7\"]");
    repo.write("procedures/access.md", &text);

    let checked = repo.check();
    assert!(
        checked.with_code("unknown-control").is_empty(),
        "{:#?}",
        checked.diagnostics
    );

    let schema = repo.cmd(&["schema"]).output().unwrap();
    let schema: Value = serde_json::from_slice(&schema.stdout).unwrap();
    let ids = &schema["properties"]["controls"]["items"]["anyOf"][0]["enum"];
    assert!(ids.as_array().unwrap().contains(&json!("OWN-7")), "{ids}");

    let (mut client, child, root_uri) = start(&repo);
    let uri = format!("{root_uri}/procedures/access.md");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let diagnostics = client.diagnostics(&uri);
    assert!(
        diagnostics.iter().all(|d| d["code"] != "unknown-control"),
        "{diagnostics:#?}"
    );
    // And an id no catalog has is reported, so the editor does check.
    let wrong = text.replace("OWN-7", "OWN-8");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": wrong}]}),
    );
    let diagnostics = client.diagnostics(&uri);
    assert!(
        diagnostics.iter().any(|d| d["code"] == "unknown-control"),
        "{diagnostics:#?}"
    );
    stop(client, child);
}
