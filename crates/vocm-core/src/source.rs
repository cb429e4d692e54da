//! The manifest files as read, and the one place that turns positions into
//! byte offsets.
//!
//! The YAML parser reports positions as (line, column in characters); miette
//! wants byte offsets, and the JSON/GitHub diagnostic formats want 1-based
//! character columns. Every conversion goes through [`SourceFile`] so that a
//! non-ASCII line can never shift a caret.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A position in a source file: 1-based line, 0-based column in characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    #[must_use]
    pub fn new(line: usize, col: usize) -> Self {
        Self {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }
}

/// A half-open range of positions in one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    #[must_use]
    pub fn new(start: Pos, end: Pos) -> Self {
        Self { start, end }
    }

    /// An empty span at one position.
    #[must_use]
    pub fn point(pos: Pos) -> Self {
        Self {
            start: pos,
            end: pos,
        }
    }
}

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One file read from disk (or given in memory by a test).
#[derive(Debug)]
pub struct SourceFile {
    /// The path as opened.
    pub path: PathBuf,
    /// The path as shown to the user (relative to the working directory
    /// when possible).
    pub display: String,
    /// The text, without a byte-order mark. Empty when the file could not be
    /// decoded.
    pub text: Arc<str>,
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    #[must_use]
    pub fn new(path: PathBuf, display: String, text: Arc<str>) -> Self {
        Self {
            path,
            display,
            text,
            line_starts: OnceLock::new(),
        }
    }

    /// Byte offsets where each line starts. Built on first use only: a valid
    /// manifest never needs it.
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let mut starts = vec![0];
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'\n' => starts.push(i + 1),
                    // A lone CR is a line break for YAML too.
                    b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                    _ => {}
                }
                i += 1;
            }
            starts
        })
    }

    /// How many lines the text has (a last line without a line break
    /// counts).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The byte offset of a position, clamped to the text.
    #[must_use]
    pub fn offset(&self, pos: Pos) -> usize {
        let starts = self.line_starts();
        let line = (pos.line.max(1) as usize - 1).min(starts.len() - 1);
        let start = starts[line];
        let end = starts.get(line + 1).copied().unwrap_or(self.text.len());
        let line_text = &self.text[start..end];
        let col = pos.col as usize;
        let within = line_text
            .char_indices()
            .nth(col)
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }

    /// Byte range of a span, for miette.
    #[must_use]
    pub fn byte_range(&self, span: Span) -> (usize, usize) {
        let start = self.offset(span.start);
        let end = self.offset(span.end).max(start);
        (start, end - start)
    }

    /// The text a span covers.
    #[must_use]
    pub fn slice(&self, span: Span) -> &str {
        let (start, len) = self.byte_range(span);
        &self.text[start..start + len]
    }
}

/// Every file of one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion files"));
        self.files.push(file);
        id
    }

    #[must_use]
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.files.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// How a path is shown: relative to the working directory when it is under
/// it, with forward slashes, so that snapshots and GitHub annotations agree
/// across machines.
#[must_use]
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let shown = cwd
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("f.yaml".into(), "f.yaml".into(), text.into())
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let f = file("a: é\nname: Zoë Noël\n");
        // 'N' of Noël is column 10 in characters, byte 11 of its line.
        let off = f.offset(Pos { line: 2, col: 10 });
        assert_eq!(&f.text[off..], "Noël\n");
    }

    #[test]
    fn offsets_clamp_past_the_end() {
        let f = file("ab");
        assert_eq!(f.offset(Pos { line: 9, col: 9 }), 2);
        assert_eq!(f.offset(Pos { line: 1, col: 9 }), 2);
    }

    #[test]
    fn crlf_and_lone_cr_are_line_breaks() {
        let f = file("a\r\nb\rc");
        assert_eq!(f.offset(Pos { line: 2, col: 0 }), 3);
        assert_eq!(f.offset(Pos { line: 3, col: 0 }), 5);
    }

    #[test]
    fn display_path_is_relative_and_forward_slashed() {
        let cwd = Path::new("/work/acme");
        assert_eq!(
            display_path(Path::new("/work/acme/users/a.yaml"), Some(cwd)),
            "users/a.yaml"
        );
        assert_eq!(display_path(Path::new("./x.yaml"), None), "x.yaml");
    }
}
