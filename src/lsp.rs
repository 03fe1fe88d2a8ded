//! `ismsbook lsp`: a language server over stdio for the repository's documents.
//!
//! - Diagnostics: the same as `check` (without the git history rules), published for
//!   open documents as the author types: the editor's unsaved text is laid over the
//!   files on disk, and changes are coalesced for 200 ms before checking.
//! - Completion: front-matter keys and values (types, statuses, classifications,
//!   roles, control ids with their titles, clauses, document ids), and relative links
//!   to documents after `](`.
//! - Hover on a control id (`5.15`, `A.5.15`): its title, theme and SoA decision; on a
//!   document id: its title and status.
//! - Go to definition on a `related` id or a relative `.md` link: the document.

use crate::catalog::ControlRef;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::handbook::Handbook;
use crate::sources::Source;
use chrono::NaiveDate;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionOptions, CompletionParams, CompletionResponse,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind,
    OneOf, Position, PublishDiagnosticsParams, Range, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

/// How long to wait after a change for more changes before checking.
const SETTLE: Duration = Duration::from_millis(200);

/// Runs the server on stdin and stdout until the editor shuts it down.
pub fn run(
    root: Option<PathBuf>,
    today: NaiveDate,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                ["\"", "[", " ", ",", "(", "/", "-"]
                    .map(String::from)
                    .to_vec(),
            ),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let params = connection.initialize(serde_json::to_value(capabilities)?)?;
    let params: InitializeParams = serde_json::from_value(params)?;
    #[allow(deprecated)] // root_uri is what most editors still send
    let root = root
        .or_else(|| params.root_uri.as_ref().and_then(|u| u.to_file_path().ok()))
        .or_else(|| {
            params
                .workspace_folders
                .as_ref()?
                .first()?
                .uri
                .to_file_path()
                .ok()
        })
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    let mut server = Server {
        root,
        today,
        open: BTreeMap::new(),
        published: Vec::new(),
        loaded: std::cell::RefCell::new(None),
    };
    server.serve(&connection)?;
    // The writer thread ends when the connection does: drop it before joining.
    drop(connection);
    io_threads.join()?;
    Ok(())
}

struct Server {
    root: PathBuf,
    today: NaiveDate,
    /// Open documents: URL → the editor's text.
    open: BTreeMap<Url, String>,
    /// URLs with diagnostics published, to clear them when they are fixed.
    published: Vec<Url>,
    /// The handbook as last loaded, until a document changes: completion, hover and
    /// definition do not read every file again.
    loaded: std::cell::RefCell<Option<std::rc::Rc<Handbook>>>,
}

impl Server {
    fn serve(
        &mut self,
        connection: &Connection,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let mut dirty = false;
        loop {
            let message = if dirty {
                match connection.receiver.recv_timeout(SETTLE) {
                    Ok(message) => message,
                    Err(e) if e.is_timeout() => {
                        self.publish(connection)?;
                        dirty = false;
                        continue;
                    }
                    Err(_) => return Ok(()),
                }
            } else {
                match connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(()),
                }
            };
            match message {
                Message::Request(request) => {
                    if connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.answer(request);
                    connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(notification) => {
                    if self.notice(notification) {
                        self.loaded.borrow_mut().take();
                        dirty = true;
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    /// Applies a notification; true when the documents changed.
    fn notice(&mut self, notification: Notification) -> bool {
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) =
                    serde_json::from_value::<DidOpenTextDocumentParams>(notification.params)
                {
                    self.open.insert(p.text_document.uri, p.text_document.text);
                    return true;
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) =
                    serde_json::from_value::<DidChangeTextDocumentParams>(notification.params)
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    self.open.insert(p.text_document.uri, change.text);
                    return true;
                }
            }
            "textDocument/didSave" => return true,
            "textDocument/didClose" => {
                if let Ok(p) =
                    serde_json::from_value::<DidCloseTextDocumentParams>(notification.params)
                {
                    self.open.remove(&p.text_document.uri);
                    return true;
                }
            }
            _ => {}
        }
        false
    }

    /// The handbook for completion, hover and definition: the one loaded last, or a
    /// new one.
    fn current(&self) -> Option<std::rc::Rc<Handbook>> {
        if let Some(handbook) = self.loaded.borrow().as_ref() {
            return Some(std::rc::Rc::clone(handbook));
        }
        let (handbook, _) = self.handbook().ok()?;
        let handbook = std::rc::Rc::new(handbook);
        *self.loaded.borrow_mut() = Some(std::rc::Rc::clone(&handbook));
        Some(handbook)
    }

    /// The handbook as the editor sees it: files on disk, with open documents' text.
    fn handbook(&self) -> Result<(Handbook, Vec<Diagnostic>), Vec<Diagnostic>> {
        let config = Config::load(&self.root).map_err(|e| e.diagnostics)?;
        let catalog = crate::catalog::Catalog::iso27001_2022();
        let (mut sources, mut problems) =
            crate::sources::discover(&config).map_err(|e| e.diagnostics)?;
        for (url, text) in &self.open {
            let Some(path) = self.relative(url) else {
                continue;
            };
            let text = crate::sources::decode(text.as_bytes()).unwrap_or_else(|_| text.clone());
            match sources.iter_mut().find(|s| s.path == path) {
                Some(source) => source.text = text,
                None if config.folder_of(&path).is_some() => sources.push(Source { path, text }),
                None => {}
            }
        }
        let soa = crate::sources::read(&config.root.join(&config.soa), &config.soa).ok();
        let (handbook, found) = Handbook::from_parts(config, catalog, &sources, soa.as_ref());
        problems.extend(found);
        Ok((handbook, problems))
    }

    fn relative(&self, url: &Url) -> Option<String> {
        let path = url.to_file_path().ok()?;
        let path = path.canonicalize().unwrap_or(path);
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        Some(crate::sources::relative(
            &root,
            path.strip_prefix(&root)
                .ok()
                .map(|p| root.join(p))
                .as_deref()?,
        ))
    }

    fn url(&self, path: &str) -> Option<Url> {
        Url::from_file_path(self.root.join(path)).ok()
    }

    /// Checks and publishes the diagnostics of every open document.
    fn publish(
        &mut self,
        connection: &Connection,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let diagnostics = match self.handbook() {
            Ok((handbook, mut found)) => {
                found.extend(crate::checks::run(&handbook, self.today));
                *self.loaded.borrow_mut() = Some(std::rc::Rc::new(handbook));
                found
            }
            Err(config) => config,
        };
        let mut by_file: HashMap<String, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for d in &diagnostics {
            by_file
                .entry(d.file.clone())
                .or_default()
                .push(self.convert(d));
        }
        let mut published = Vec::new();
        let mut sent = std::collections::BTreeSet::new();
        for url in self
            .open
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .into_iter()
            .chain(std::mem::take(&mut self.published))
        {
            if !sent.insert(url.clone()) {
                continue;
            }
            let items = self
                .relative(&url)
                .and_then(|p| by_file.remove(&p))
                .unwrap_or_default();
            let had = !items.is_empty();
            let params = PublishDiagnosticsParams {
                uri: url.clone(),
                diagnostics: items,
                version: None,
            };
            connection
                .sender
                .send(Message::Notification(Notification::new(
                    "textDocument/publishDiagnostics".to_string(),
                    params,
                )))?;
            if had {
                published.push(url);
            }
        }
        self.published = published;
        Ok(())
    }

    /// A diagnostic in the protocol's terms: 0-based lines, UTF-16 columns.
    fn convert(&self, d: &Diagnostic) -> lsp_types::Diagnostic {
        let text = self
            .url(&d.file)
            .and_then(|u| self.open.get(&u).cloned())
            .or_else(|| std::fs::read_to_string(self.root.join(&d.file)).ok())
            .unwrap_or_default();
        let line_text = text
            .lines()
            .nth(d.line.saturating_sub(1))
            .unwrap_or_default();
        let utf16 = |chars: usize| -> u32 {
            line_text
                .chars()
                .take(chars)
                .map(char::len_utf16)
                .sum::<usize>() as u32
        };
        let line = d.line.saturating_sub(1) as u32;
        let start = utf16(d.column.saturating_sub(1));
        let end = if d.width > 0 {
            utf16(d.column.saturating_sub(1) + d.width)
        } else {
            start.max(utf16(line_text.chars().count()))
        };
        let message = match &d.hint {
            Some(hint) => format!("{}\nhint: {hint}", d.message),
            None => d.message.clone(),
        };
        lsp_types::Diagnostic {
            range: Range {
                start: Position {
                    line,
                    character: start,
                },
                end: Position {
                    line,
                    character: end,
                },
            },
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Note => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(lsp_types::NumberOrString::String(d.code.to_string())),
            source: Some("ismsbook".to_string()),
            message,
            ..lsp_types::Diagnostic::default()
        }
    }

    fn answer(&self, request: Request) -> Response {
        let id: RequestId = request.id.clone();
        let result = match request.method.as_str() {
            "textDocument/completion" => serde_json::from_value::<CompletionParams>(request.params)
                .ok()
                .map(|p| serde_json::to_value(self.complete(&p)).unwrap_or_default()),
            "textDocument/hover" => serde_json::from_value::<HoverParams>(request.params)
                .ok()
                .map(|p| serde_json::to_value(self.hover(&p)).unwrap_or_default()),
            "textDocument/definition" => {
                serde_json::from_value::<GotoDefinitionParams>(request.params)
                    .ok()
                    .map(|p| serde_json::to_value(self.definition(&p)).unwrap_or_default())
            }
            _ => {
                return Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("{} is not supported", request.method),
                );
            }
        };
        Response::new_ok(id, result.unwrap_or(serde_json::Value::Null))
    }

    /// The line and what stands left of the cursor, and whether it is in the front
    /// matter (and under which key).
    fn context(&self, url: &Url, position: Position) -> Option<Context> {
        let text = self.open.get(url)?;
        let lines: Vec<&str> = text.lines().collect();
        let line = *lines.get(position.line as usize).unwrap_or(&"");
        let mut units = 0u32;
        let before: String = line
            .chars()
            .take_while(|c| {
                units += c.len_utf16() as u32;
                units <= position.character
            })
            .collect();
        let closing = lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == "---")
            .map(|i| i + 1);
        let in_front_matter = lines.first().is_some_and(|l| l.trim_end() == "---")
            && (position.line as usize) > 0
            && closing.is_none_or(|c| (position.line as usize) < c);
        let key = in_front_matter.then(|| {
            // The key of this line, or of the list it continues.
            lines[..=position.line as usize].iter().rev().find_map(|l| {
                (!l.starts_with([' ', '-', '#']))
                    .then(|| l.split(':').next().unwrap_or_default().trim().to_string())
            })
        });
        Some(Context {
            line: line.to_string(),
            before,
            key: key.flatten(),
            in_front_matter,
        })
    }

    fn complete(&self, params: &CompletionParams) -> CompletionResponse {
        let url = &params.text_document_position.text_document.uri;
        let Some(context) = self.context(url, params.text_document_position.position) else {
            return CompletionResponse::Array(Vec::new());
        };
        let Ok((handbook, _)) = self.handbook() else {
            return CompletionResponse::Array(Vec::new());
        };
        let item = |label: &str, detail: &str, kind: CompletionItemKind| CompletionItem {
            label: label.to_string(),
            detail: (!detail.is_empty()).then(|| detail.to_string()),
            kind: Some(kind),
            ..CompletionItem::default()
        };
        let mut items = Vec::new();
        if context.in_front_matter {
            let on_key = !context.before.contains(':') && !context.before.starts_with([' ', '-']);
            if on_key {
                let present: Vec<String> = self.open[url]
                    .lines()
                    .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
                    .collect();
                for key in crate::document::KEYS
                    .iter()
                    .filter(|k| !present.iter().any(|p| p == *k))
                {
                    items.push(CompletionItem {
                        insert_text: Some(format!("{key}: ")),
                        ..item(key, "front-matter key", CompletionItemKind::PROPERTY)
                    });
                }
            } else {
                let config = &handbook.config;
                match context.key.as_deref().unwrap_or_default() {
                    "type" => items.extend(
                        crate::document::DocType::ALL
                            .iter()
                            .map(|t| item(t.as_str(), t.label(), CompletionItemKind::ENUM_MEMBER)),
                    ),
                    "status" => items.extend(
                        crate::document::Status::ALL
                            .iter()
                            .map(|s| item(s.as_str(), "", CompletionItemKind::ENUM_MEMBER)),
                    ),
                    "classification" => items.extend(
                        config
                            .classifications
                            .iter()
                            .map(|c| item(c, "", CompletionItemKind::ENUM_MEMBER)),
                    ),
                    "owner" | "approvers" | "approved_by" => items.extend(
                        config
                            .roles
                            .iter()
                            .map(|(k, r)| item(k, &r.name, CompletionItemKind::VALUE)),
                    ),
                    "controls" => items.extend(handbook.catalog.controls().iter().map(|c| {
                        let decision = handbook
                            .soa
                            .as_ref()
                            .and_then(|s| s.decisions.get(&c.id))
                            .map_or("", |d| match d.applicable {
                                Some(true) => " (applicable)",
                                Some(false) => " (excluded)",
                                None => " (undecided)",
                            });
                        CompletionItem {
                            filter_text: Some(format!("{} {}", c.id, c.title)),
                            ..item(
                                &c.id,
                                &format!("{}{decision}", c.title),
                                CompletionItemKind::REFERENCE,
                            )
                        }
                    })),
                    "clauses" => items.extend(
                        handbook
                            .catalog
                            .clauses()
                            .iter()
                            .map(|c| item(&c.id, &c.title, CompletionItemKind::REFERENCE)),
                    ),
                    "related" => items.extend(
                        handbook
                            .valid()
                            .map(|(_, m)| item(&m.id, &m.title, CompletionItemKind::REFERENCE)),
                    ),
                    _ => {}
                }
            }
        } else if context.before.ends_with("](")
            || context
                .before
                .rsplit("](")
                .next()
                .is_some_and(|rest| !rest.contains(')') && context.before.contains("]("))
        {
            let from = self.relative(url).unwrap_or_default();
            for (doc, meta) in handbook.valid() {
                if doc.path != from {
                    let link = crate::checks::relative_link(&from, &doc.path);
                    items.push(CompletionItem {
                        filter_text: Some(format!("{link} {}", meta.title)),
                        ..item(
                            &link,
                            &format!("{} {}", meta.id, meta.title),
                            CompletionItemKind::FILE,
                        )
                    });
                }
            }
        }
        CompletionResponse::Array(items)
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let url = &params.text_document_position_params.text_document.uri;
        let context = self.context(url, params.text_document_position_params.position)?;
        let word = word_at(&context.line, context.before.chars().count())?;
        let handbook = self.current()?;
        let text = if let ControlRef::Known(control) = handbook.catalog.resolve(&word) {
            let decision = handbook
                .soa
                .as_ref()
                .and_then(|s| s.decisions.get(&control.id));
            let applicability = match decision.and_then(|d| d.applicable) {
                Some(true) => format!(
                    "applicable, {}",
                    decision
                        .and_then(|d| d.status)
                        .map_or("no status", |s| s.as_str())
                ),
                Some(false) => "excluded".to_string(),
                None => "undecided".to_string(),
            };
            let justification = decision
                .and_then(|d| d.justification.as_deref())
                .map(|j| format!("\n\n{j}"))
                .unwrap_or_default();
            format!(
                "**{} {}**\n\n{} · SoA: {applicability}{justification}",
                if control.is_annex_a() {
                    format!("A.{}", control.id)
                } else {
                    control.id.clone()
                },
                control.title,
                control.theme.label()
            )
        } else if let Some(doc) = handbook.by_id(&word) {
            let meta = doc.meta.as_ref()?;
            format!(
                "**{} {}**\n\n{} {}, version {} · `{}`",
                meta.id,
                meta.title,
                meta.doc_type.label(),
                meta.status,
                meta.version,
                doc.path
            )
        } else {
            return None;
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: None,
        })
    }

    fn definition(&self, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let url = &params.text_document_position_params.text_document.uri;
        let context = self.context(url, params.text_document_position_params.position)?;
        let column = context.before.chars().count();
        let handbook = self.current()?;
        let from = self.relative(url)?;
        // A relative link around the cursor, or a document id under it.
        let target = link_at(&context.line, column)
            .and_then(|dest| {
                crate::checks::resolve(&from, dest.split('#').next().unwrap_or_default())
            })
            .filter(|p| handbook.by_path(p).is_some())
            .or_else(|| {
                word_at(&context.line, column)
                    .and_then(|w| handbook.by_id(&w).map(|d| d.path.clone()))
            })?;
        let location = Location {
            uri: self.url(&target)?,
            range: Range::default(),
        };
        Some(GotoDefinitionResponse::Scalar(location))
    }
}

struct Context {
    line: String,
    /// The line's text left of the cursor.
    before: String,
    /// The front-matter key the cursor's line belongs to.
    key: Option<String>,
    in_front_matter: bool,
}

/// The id-like word around a character column: letters, digits, `.` and `-`.
fn word_at(line: &str, column: usize) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    let mut start = column.min(chars.len());
    while start > 0 && is_word(chars[start - 1]) {
        start -= 1;
    }
    let mut end = column.min(chars.len());
    while end < chars.len() && is_word(chars[end]) {
        end += 1;
    }
    let word: String = chars[start..end].iter().collect();
    let word = word.trim_matches('.').to_string();
    (!word.is_empty()).then_some(word)
}

/// The destination of a Markdown link `](dest)` that contains the column.
fn link_at(line: &str, column: usize) -> Option<&str> {
    let mut search = 0;
    while let Some(open) = line[search..].find("](").map(|i| i + search) {
        let start = open + 2;
        let end = line[start..].find(')').map_or(line.len(), |i| start + i);
        let (from, to) = (line[..open].chars().count(), line[..end].chars().count());
        if (from..=to).contains(&column) {
            return Some(&line[start..end]);
        }
        search = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_links_under_the_cursor() {
        assert_eq!(
            word_at("controls: [\"5.15\", \"8.5\"]", 13).as_deref(),
            Some("5.15")
        );
        assert_eq!(word_at("related: [PRC-AC]", 12).as_deref(), Some("PRC-AC"));
        assert_eq!(
            link_at("See [the policy](../policies/a.md#x) now", 20),
            Some("../policies/a.md#x")
        );
        assert_eq!(link_at("no link here", 3), None);
    }
}
