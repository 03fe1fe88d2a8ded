//! Joining PDFs into one: the parts of handbook.pdf, each typeset on its own, become
//! one file with one page tree, one outline (a bookmark per part) and links between
//! the parts. The parts are read one at a time and their objects streamed to the
//! output, so memory holds one part, whatever the number of parts.
//!
//! What is kept of a part is what its pages need (content, fonts, images, links).
//! Its catalog, outline and structure tree are left behind; the first part gives the
//! joined file its metadata (XMP, with the page count corrected), its output intent
//! (PDF/A), its language, its information dictionary and its file identifier.

use super::files::Part;
use super::pdf::BOOK_LINK;
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Why the parts could not be joined.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("cannot read {}: {error}", path.display())]
    Read { path: PathBuf, error: lopdf::Error },
    #[error("{}: {what}", path.display())]
    Malformed { path: PathBuf, what: &'static str },
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Joins `parts`, in order, into `out`. Returns the number of pages.
pub fn join(parts: &[Part], out: &Path) -> Result<usize, MergeError> {
    let file = File::create(out).map_err(|error| write_error(out, error))?;
    let mut writer = Writer::new(BufWriter::new(file));
    let joined = (|| -> Result<usize, MergeError> {
        writer.header().map_err(|e| write_error(out, e))?;
        let mut book = Book::new(&mut writer);
        for (index, part) in parts.iter().enumerate() {
            book.add(&mut writer, part, index == 0, out)?;
        }
        book.finish(&mut writer, parts)
            .map_err(|e| write_error(out, e))
    })();
    let pages = joined?;
    writer.flush().map_err(|e| write_error(out, e))?;
    Ok(pages)
}

fn write_error(path: &Path, error: std::io::Error) -> MergeError {
    MergeError::Write {
        path: path.to_path_buf(),
        error,
    }
}

/// The joined file as it is written: the pages so far, the first page of each part,
/// and what the first part gives the catalog.
struct Book {
    pages_root: u32,
    pages: Vec<u32>,
    firsts: Vec<u32>,
    catalog: Dictionary,
    info: Option<u32>,
    id: Option<Object>,
    /// The XMP metadata and its number, written last with the page count.
    xmp: Option<(u32, Object)>,
}

impl Book {
    fn new<W: Write>(writer: &mut Writer<W>) -> Book {
        Book {
            pages_root: writer.reserve(),
            pages: Vec::new(),
            firsts: Vec::new(),
            catalog: Dictionary::new(),
            info: None,
            id: None,
            xmp: None,
        }
    }

    /// Streams the objects one part's pages need, renumbered, into `out`.
    fn add<W: Write>(
        &mut self,
        writer: &mut Writer<W>,
        part: &Part,
        first: bool,
        out: &Path,
    ) -> Result<(), MergeError> {
        let read = |error| MergeError::Read {
            path: part.path.clone(),
            error,
        };
        let doc = Document::load(&part.path).map_err(read)?;
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let Some(&first_page) = page_ids.first() else {
            return Err(MergeError::Malformed {
                path: part.path.clone(),
                what: "no pages",
            });
        };
        let mut walk = Walk::new(writer.count() + 1);
        for &page in &page_ids {
            self.pages.push(walk.number(page));
        }
        self.firsts.push(walk.numbers[&first_page]);
        let mut metadata = None;
        if first {
            let catalog = doc.catalog().map_err(read)?;
            for key in [&b"Metadata"[..], b"OutputIntents", b"Lang"] {
                if let Ok(value) = catalog.get(key) {
                    if key == b"Metadata" {
                        metadata = value.as_reference().ok();
                    }
                    let value = walk.renumber(value.clone());
                    self.catalog.set(key, value);
                }
            }
            if let Ok(info) = doc.trailer.get(b"Info").and_then(Object::as_reference) {
                self.info = Some(walk.number(info));
            }
            self.id = doc.trailer.get(b"ID").ok().cloned();
        }
        let named = named_destinations(&doc);
        while let Some(old) = walk.queue.pop_front() {
            // A reference to an object the part lacks reads as null, as a reader
            // would take it; its number must still be in the cross-reference table.
            let mut object = doc.get_object(old).cloned().unwrap_or(Object::Null);
            if let Object::Dictionary(dict) = &mut object {
                if dict.has_type(b"Page") {
                    dict.set("Parent", Object::Reference((self.pages_root, 0)));
                    dict.remove(b"StructParents");
                }
                if dict.has_type(b"Annot") {
                    dict.remove(b"StructParent");
                    link(dict, &named);
                }
            }
            if Some(old) == metadata {
                self.xmp = Some((walk.numbers[&old], object));
                writer.claim(walk.next);
                continue;
            }
            let object = walk.renumber(object);
            let new = walk.numbers[&old];
            writer.claim(walk.next);
            writer
                .object(new, &object)
                .map_err(|e| write_error(out, e))?;
        }
        writer.claim(walk.next);
        Ok(())
    }

    /// Writes the page tree, the outline, the destinations, the catalog, the cross
    /// reference table and the trailer.
    fn finish<W: Write>(
        &mut self,
        writer: &mut Writer<W>,
        parts: &[Part],
    ) -> std::io::Result<usize> {
        let kids = self.pages.iter().map(|&p| reference(p)).collect();
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Kids", Object::Array(kids));
        pages.set("Count", Object::Integer(self.pages.len() as i64));
        writer.object(self.pages_root, &Object::Dictionary(pages))?;
        if let Some((id, xmp)) = self.xmp.take() {
            writer.object(id, &page_count(xmp, self.pages.len()))?;
        }

        let outline = self.outline(writer, parts)?;
        let mut dests = Dictionary::new();
        for (part, &first) in parts.iter().zip(&self.firsts) {
            if let Some(name) = &part.name {
                dests.set(name.as_bytes(), fit(first));
            }
        }
        let dests_id = writer.reserve();
        writer.object(dests_id, &Object::Dictionary(dests))?;

        let mut catalog = std::mem::take(&mut self.catalog);
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", reference(self.pages_root));
        catalog.set("Outlines", reference(outline));
        catalog.set("Dests", reference(dests_id));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        let catalog_id = writer.reserve();
        writer.object(catalog_id, &Object::Dictionary(catalog))?;

        let mut trailer = Dictionary::new();
        trailer.set("Size", Object::Integer(i64::from(writer.count()) + 1));
        trailer.set("Root", reference(catalog_id));
        if let Some(info) = self.info {
            trailer.set("Info", reference(info));
        }
        if let Some(id) = self.id.take() {
            trailer.set("ID", id);
        }
        writer.trailer(&trailer)?;
        Ok(self.pages.len())
    }

    /// The outline: a bookmark for each part that has one, to its first page.
    fn outline<W: Write>(&self, writer: &mut Writer<W>, parts: &[Part]) -> std::io::Result<u32> {
        let root = writer.reserve();
        let marked: Vec<(&str, u32)> = parts
            .iter()
            .zip(&self.firsts)
            .filter_map(|(part, &first)| Some((part.bookmark.as_deref()?, first)))
            .collect();
        let items: Vec<u32> = marked.iter().map(|_| writer.reserve()).collect();
        for (i, &(title, first)) in marked.iter().enumerate() {
            let mut item = Dictionary::new();
            item.set("Title", text_string(title));
            item.set("Parent", reference(root));
            if i > 0 {
                item.set("Prev", reference(items[i - 1]));
            }
            if let Some(&next) = items.get(i + 1) {
                item.set("Next", reference(next));
            }
            item.set("Dest", fit(first));
            writer.object(items[i], &Object::Dictionary(item))?;
        }
        let mut outline = Dictionary::new();
        outline.set("Type", Object::Name(b"Outlines".to_vec()));
        if let (Some(&first), Some(&last)) = (items.first(), items.last()) {
            outline.set("First", reference(first));
            outline.set("Last", reference(last));
        }
        outline.set("Count", Object::Integer(items.len() as i64));
        writer.object(root, &Object::Dictionary(outline))?;
        Ok(root)
    }
}

/// The objects of one part reachable from its pages, numbered in the joined file as
/// they are found, from `next` on.
struct Walk {
    numbers: HashMap<ObjectId, u32>,
    queue: VecDeque<ObjectId>,
    next: u32,
}

impl Walk {
    fn new(next: u32) -> Walk {
        Walk {
            numbers: HashMap::new(),
            queue: VecDeque::new(),
            next,
        }
    }

    /// The joined file's number of `old`, queued to be written when new.
    fn number(&mut self, old: ObjectId) -> u32 {
        if let Some(&new) = self.numbers.get(&old) {
            return new;
        }
        let new = self.next;
        self.next += 1;
        self.numbers.insert(old, new);
        self.queue.push_back(old);
        new
    }

    /// `object` with every reference renumbered (and its target queued).
    fn renumber(&mut self, object: Object) -> Object {
        match object {
            Object::Reference(old) => Object::Reference((self.number(old), 0)),
            Object::Array(items) => {
                Object::Array(items.into_iter().map(|o| self.renumber(o)).collect())
            }
            Object::Dictionary(dict) => Object::Dictionary(self.renumber_dict(dict)),
            Object::Stream(mut stream) => {
                stream.dict = self.renumber_dict(stream.dict);
                Object::Stream(stream)
            }
            other => other,
        }
    }

    fn renumber_dict(&mut self, dict: Dictionary) -> Dictionary {
        let mut out = Dictionary::new();
        for (key, value) in dict {
            out.set(key, self.renumber(value));
        }
        out
    }
}

/// A link annotation made to lead inside the joined file: a link to another part
/// (written as a [`BOOK_LINK`] URI) goes to that part's named destination; a named
/// destination of the part itself is replaced by the place it names, since names
/// are the part's own.
fn link(annotation: &mut Dictionary, named: &HashMap<Vec<u8>, Object>) {
    let action = annotation.get(b"A").and_then(Object::as_dict).ok();
    let uri = action
        .filter(|a| a.get(b"S").and_then(Object::as_name).ok() == Some(b"URI"))
        .and_then(|a| a.get(b"URI").and_then(Object::as_str).ok());
    if let Some(name) = uri.and_then(|u| u.strip_prefix(BOOK_LINK.as_bytes())) {
        let name = name.to_vec();
        annotation.remove(b"A");
        // The description a reader speaks: the part, not the URI it was written as.
        annotation.set(
            "Contents",
            Object::String(name.clone(), StringFormat::Literal),
        );
        annotation.set("Dest", Object::Name(name));
        return;
    }
    let goto = action
        .filter(|a| a.get(b"S").and_then(Object::as_name).ok() == Some(b"GoTo"))
        .and_then(|a| a.get(b"D").ok());
    let dest = annotation.get(b"Dest").ok().or(goto);
    let resolved = match dest {
        Some(Object::String(name, _) | Object::Name(name)) => named.get(name).cloned(),
        _ => None,
    };
    if let Some(place) = resolved {
        annotation.remove(b"A");
        annotation.set("Dest", place);
    }
}

/// A part's named destinations (the catalog's name tree, or its older dictionary),
/// each as the destination array it names.
fn named_destinations(doc: &Document) -> HashMap<Vec<u8>, Object> {
    let mut out = HashMap::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    let deref = |o: &Object| -> Option<Object> {
        let (_, o) = doc.dereference(o).ok()?;
        match o {
            Object::Dictionary(d) => d.get(b"D").ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let old_style = catalog
        .get(b"Dests")
        .ok()
        .and_then(|o| doc.dereference(o).ok());
    if let Some((_, Object::Dictionary(dests))) = old_style {
        for (name, value) in dests.iter() {
            if let Some(place) = deref(value) {
                out.insert(name.clone(), place);
            }
        }
    }
    let tree = catalog
        .get(b"Names")
        .and_then(|n| doc.dereference(n))
        .and_then(|(_, n)| n.as_dict())
        .and_then(|n| n.get(b"Dests"))
        .ok();
    let mut nodes: Vec<&Object> = tree.into_iter().collect();
    while let Some(node) = nodes.pop() {
        let Ok((_, Object::Dictionary(node))) = doc.dereference(node) else {
            continue;
        };
        if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
            nodes.extend(kids);
        }
        if let Ok(names) = node.get(b"Names").and_then(Object::as_array) {
            for pair in names.chunks(2) {
                if let [Object::String(name, _), value] = pair
                    && let Some(place) = deref(value)
                {
                    out.insert(name.clone(), place);
                }
            }
        }
    }
    out
}

/// The XMP metadata with the joined file's page count (the first part's counts
/// only its own pages).
fn page_count(object: Object, pages: usize) -> Object {
    let Object::Stream(mut stream) = object else {
        return object;
    };
    let xml = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let xml = String::from_utf8_lossy(&xml).into_owned();
    let (open, close) = ("<xmpTPg:NPages>", "</xmpTPg:NPages>");
    let xml = match (xml.find(open), xml.find(close)) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{open}{pages}{}", &xml[..start], &xml[end..])
        }
        _ => xml,
    };
    stream.dict.remove(b"Filter");
    stream.dict.remove(b"DecodeParms");
    stream.content = xml.into_bytes();
    Object::Stream(stream)
}

fn reference(id: u32) -> Object {
    Object::Reference((id, 0))
}

/// A destination: the page `page`, fitted to the window.
fn fit(page: u32) -> Object {
    Object::Array(vec![reference(page), Object::Name(b"Fit".to_vec())])
}

/// A PDF text string: ASCII as is, else UTF-16BE with its byte-order mark.
fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        return Object::String(text.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xfe, 0xff];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// The output: objects written in any order, their offsets kept for the cross
/// reference table.
struct Writer<W: Write> {
    out: W,
    at: u64,
    offsets: Vec<u64>,
}

impl<W: Write> Writer<W> {
    fn new(out: W) -> Self {
        Writer {
            out,
            at: 0,
            offsets: Vec::new(),
        }
    }

    /// The number of objects numbered so far.
    fn count(&self) -> u32 {
        self.offsets.len() as u32
    }

    /// A new object number.
    fn reserve(&mut self) -> u32 {
        self.offsets.push(0);
        self.count()
    }

    /// Takes the numbers up to `next` (exclusive), handed out by a walk.
    fn claim(&mut self, next: u32) {
        self.offsets.resize((next - 1) as usize, 0);
    }

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// The header of a PDF 1.7 file, with the comment that marks it binary.
    fn header(&mut self) -> std::io::Result<()> {
        self.put(b"%PDF-1.7\n%\x80\x80\x80\x80\n")
    }

    fn object(&mut self, id: u32, object: &Object) -> std::io::Result<()> {
        self.offsets[(id - 1) as usize] = self.at;
        let mut bytes = format!("{id} 0 obj\n").into_bytes();
        serialize(object, &mut bytes);
        bytes.extend_from_slice(b"\nendobj\n");
        self.put(&bytes)
    }

    fn trailer(&mut self, trailer: &Dictionary) -> std::io::Result<()> {
        let start = self.at;
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for offset in &self.offsets {
            table.push_str(&format!("{offset:010} 00000 n \n"));
        }
        table.push_str("trailer\n");
        let mut bytes = table.into_bytes();
        serialize(&Object::Dictionary(trailer.clone()), &mut bytes);
        bytes.extend_from_slice(format!("\nstartxref\n{start}\n%%EOF\n").as_bytes());
        self.put(&bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// An object in PDF syntax. Strings are written in hexadecimal, which needs no
/// escaping; a stream's length is its content's.
fn serialize(object: &Object, out: &mut Vec<u8>) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(real(*r).as_bytes()),
        Object::Name(name) => name_bytes(name, out),
        Object::String(bytes, _) => {
            out.push(b'<');
            for byte in bytes {
                out.extend_from_slice(format!("{byte:02x}").as_bytes());
            }
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                serialize(item, out);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => dictionary(dict, out),
        Object::Stream(stream) => {
            let mut dict = stream.dict.clone();
            dict.set("Length", Object::Integer(stream.content.len() as i64));
            dictionary(&dict, out);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, generation)) => {
            out.extend_from_slice(format!("{id} {generation} R").as_bytes());
        }
    }
}

fn dictionary(dict: &Dictionary, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict.iter() {
        name_bytes(key, out);
        out.push(b' ');
        serialize(value, out);
    }
    out.extend_from_slice(b">>");
}

/// A name, its delimiters and non-printing bytes written as `#xx`.
fn name_bytes(name: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &byte in name {
        if b"()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.extend_from_slice(format!("#{byte:02X}").as_bytes());
        } else {
            out.push(byte);
        }
    }
}

/// A real number without an exponent, as PDF requires.
fn real(value: f32) -> String {
    let text = format!("{value}");
    if text.contains(['e', 'E']) || !value.is_finite() {
        format!("{:.6}", if value.is_finite() { value } else { 0.0 })
    } else {
        text
    }
}
