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

mod complete;
mod cursor;
mod navigate;

use crate::checks;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::config::Config;
use crate::model::handbook::{Handbook, Parsed};
use crate::model::source::{Overlay, WorkTree, relative};
use chrono::NaiveDate;
use cursor::Context;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CompletionOptions, CompletionParams, CompletionResponse, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind, OneOf,
    Position, PublishDiagnosticsParams, Range, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Url,
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
        parsed: Parsed::default(),
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
    /// Documents as parsed: a change parses again the changed document only.
    parsed: Parsed,
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

    /// The handbook as the editor sees it: files on disk, with open documents' text
    /// laid over them; assembled as every command assembles it.
    fn handbook(&self) -> Result<(Handbook, Vec<Diagnostic>), Vec<Diagnostic>> {
        let config = Config::load(&self.root).map_err(|e| e.diagnostics)?;
        let mut origin = Overlay::new(&WorkTree);
        for (url, text) in &self.open {
            if let Some(path) = self.relative(url) {
                origin = origin.with(path, crate::text::decode_lossy(text.as_bytes()));
            }
        }
        Handbook::load_reusing(config, &origin, Some(&self.parsed)).map_err(|e| e.diagnostics)
    }

    fn relative(&self, url: &Url) -> Option<String> {
        let path = url.to_file_path().ok()?;
        let path = path.canonicalize().unwrap_or(path);
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        Some(relative(
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
                found.extend(checks::run(&handbook, self.today));
                checks::finish(&handbook, self.today, &mut found);
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

    /// The editor's text of an open document and where the cursor is in it.
    fn context(&self, url: &Url, position: Position) -> Option<(&str, Context)> {
        let text = self.open.get(url)?;
        Some((text, Context::at(text, position)))
    }

    fn complete(&self, params: &CompletionParams) -> CompletionResponse {
        let position = &params.text_document_position;
        let items = self
            .context(&position.text_document.uri, position.position)
            .and_then(|(text, context)| {
                let handbook = self.current()?;
                let from = self
                    .relative(&position.text_document.uri)
                    .unwrap_or_default();
                Some(complete::complete(&handbook, text, &from, &context))
            })
            .unwrap_or_default();
        CompletionResponse::Array(items)
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let position = &params.text_document_position_params;
        let (_, context) = self.context(&position.text_document.uri, position.position)?;
        let text = navigate::hover(&*self.current()?, &context)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: None,
        })
    }

    fn definition(&self, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let position = &params.text_document_position_params;
        let url = &position.text_document.uri;
        let (_, context) = self.context(url, position.position)?;
        let from = self.relative(url)?;
        let target = navigate::definition(&*self.current()?, &from, &context)?;
        Some(GotoDefinitionResponse::Scalar(Location {
            uri: self.url(&target)?,
            range: Range::default(),
        }))
    }
}
