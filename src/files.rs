//! The user's files: every read and write of a file named by the user (`:load`,
//! `:save`, `svg=`, the prompt's history) goes through here.
//!
//! Writes never replace what is not ours. A symbolic link is followed and the
//! file it leads to is written; a target that exists and is not a regular
//! file (a directory, device, FIFO or socket) is refused, never replaced; the
//! new contents go to a temporary file with a random name created beside the
//! target (exclusively, so a link planted there is never followed), are
//! synced to disk, take the old file's permissions and owner, and are renamed
//! over it; the directory is synced last. On any failure the old file is as it
//! was and the temporary file is gone.
//!
//! Reads are bounded by the bytes actually read, not by the size the file
//! claims (`/dev/zero` claims 0), and opening a FIFO never waits for a writer.

use crate::error::{Error, ErrorKind};
use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Most symbolic links followed from one path (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Why a file could not be read or written.
#[derive(Debug)]
pub struct FileError {
    /// The file it is about: where the symbolic links, if any, led.
    pub path: PathBuf,
    /// Whether a symbolic link led to `path` from the path asked for.
    pub linked: bool,
    /// What went wrong.
    pub kind: FileErrorKind,
}

/// What went wrong with a file.
#[derive(Debug)]
pub enum FileErrorKind {
    /// Reading: there is no such file.
    Missing,
    /// Writing: the folder it would go in does not exist.
    NoFolder,
    /// It exists and is not a regular file.
    NotRegular(Special),
    /// Reading: it holds more bytes than the limit.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Symbolic links lead on and on (or in a circle).
    TooManyLinks,
    /// The system said no.
    Denied,
    /// Any other failure of the system.
    Other(io::Error),
}

impl FileError {
    fn new(path: &Path, kind: FileErrorKind) -> FileError {
        FileError {
            path: path.to_path_buf(),
            linked: false,
            kind,
        }
    }

    fn io(path: &Path, e: io::Error, writing: bool) -> FileError {
        let kind = match e.kind() {
            io::ErrorKind::NotFound if writing => FileErrorKind::NoFolder,
            io::ErrorKind::NotFound => FileErrorKind::Missing,
            io::ErrorKind::PermissionDenied => FileErrorKind::Denied,
            io::ErrorKind::IsADirectory => FileErrorKind::NotRegular(Special::Directory),
            _ => FileErrorKind::Other(e),
        };
        FileError::new(path, kind)
    }

    fn linked(mut self, linked: bool) -> FileError {
        self.linked = linked;
        self
    }

    /// The library's error: `doing` says what failed ("cannot load `a.deriv`"),
    /// this error says why; a file too large is a limit, the rest are I/O.
    pub fn into_error(self, doing: &str) -> Error {
        let kind = match self.kind {
            FileErrorKind::TooLarge { .. } => ErrorKind::Limit,
            _ => ErrorKind::Io,
        };
        Error::new(kind, format!("{doing}: {self}"))
    }
}

/// The reason, as the end of a sentence that names the path asked for
/// ("cannot save to `x`: …"); a link's target is named when it matters.
impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.path.display();
        match &self.kind {
            FileErrorKind::NotRegular(what) if self.linked => {
                write!(f, "it links to `{p}`, {what}, not a regular file")
            }
            FileErrorKind::NotRegular(Special::Directory) => write!(f, "it is a directory"),
            FileErrorKind::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            FileErrorKind::Missing if self.linked => {
                write!(f, "it links to `{p}`, which does not exist")
            }
            FileErrorKind::Missing => write!(f, "no such file"),
            FileErrorKind::NoFolder if self.linked => {
                write!(f, "it links to `{p}`, in a directory that does not exist")
            }
            FileErrorKind::NoFolder => write!(f, "no such directory"),
            FileErrorKind::TooLarge { limit } => {
                write!(f, "it is too large (the limit is {limit} bytes)")
            }
            FileErrorKind::TooManyLinks => write!(f, "too many levels of symbolic links"),
            FileErrorKind::Denied if self.linked => write!(f, "permission denied on `{p}`"),
            FileErrorKind::Denied => write!(f, "permission denied"),
            FileErrorKind::Other(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FileError {}

/// What a file is when it is not a regular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// A directory.
    Directory,
    /// A character device (`/dev/full`, a terminal).
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// A FIFO, or a pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// Anything else the system has.
    Other,
}

impl fmt::Display for Special {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Special::Directory => "a directory",
            Special::CharDevice => "a character device",
            Special::BlockDevice => "a block device",
            Special::Fifo => "a FIFO (named pipe)",
            Special::Socket => "a socket",
            Special::Other => "a special file",
        })
    }
}

/// What the file is, unless it is a regular file.
fn what_it_is(meta: &Metadata) -> Option<Special> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some(Special::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return Some(Special::CharDevice);
        }
        if t.is_block_device() {
            return Some(Special::BlockDevice);
        }
        if t.is_fifo() {
            return Some(Special::Fifo);
        }
        if t.is_socket() {
            return Some(Special::Socket);
        }
    }
    Some(Special::Other)
}

// ------------------------------------------------------------------ reading

/// What `path` is (following links), and whether it is a link; a link to
/// nothing is said to be one.
fn metadata(path: &Path) -> Result<(fs::Metadata, bool), FileError> {
    let linked = is_link(path);
    let meta = fs::metadata(path).map_err(|e| {
        let e = FileError::io(path, e, false);
        match (&e.kind, linked) {
            (FileErrorKind::Missing, true) => link_end(path).unwrap_or(e),
            _ => e,
        }
    })?;
    Ok((meta, linked))
}

/// The contents of `path`, at most `limit` bytes: more is an error, however
/// large the file says it is. A device or a FIFO is read within the same
/// bound (a FIFO with no writer reads as empty); a directory or a socket is
/// refused.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let (meta, linked) = metadata(path)?;
    let err = |e: io::Error| FileError::io(path, e, false);
    match what_it_is(&meta) {
        Some(what @ (Special::Directory | Special::Socket)) => {
            return Err(FileError::new(&real(path), FileErrorKind::NotRegular(what)).linked(linked));
        }
        None if meta.len() > limit => {
            return Err(FileError::new(path, FileErrorKind::TooLarge { limit }));
        }
        _ => {}
    }
    let file = open_for_reading(path).map_err(err)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(err)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::new(path, FileErrorKind::TooLarge { limit }));
    }
    Ok(bytes)
}

/// A regular file opened for a streaming read bounded at `limit` bytes:
/// the reader stops one byte past it, so the caller tells a file too large
/// by the bytes it got. Anything but a regular file is refused (a data set
/// read in one pass has no business with a device or a FIFO).
pub fn open_regular(path: &Path, limit: u64) -> Result<io::Take<File>, FileError> {
    let (meta, linked) = metadata(path)?;
    if let Some(what) = what_it_is(&meta) {
        return Err(FileError::new(&real(path), FileErrorKind::NotRegular(what)).linked(linked));
    }
    if meta.len() > limit {
        return Err(FileError::new(path, FileErrorKind::TooLarge { limit }));
    }
    let file = open_for_reading(path).map_err(|e| FileError::io(path, e, false))?;
    Ok(file.take(limit.saturating_add(1)))
}

/// Opens without waiting for a FIFO's writer, then reads block as usual: a
/// FIFO nobody writes to reads as empty at once, one being written to is
/// read to its end.
#[cfg(unix)]
fn open_for_reading(path: &Path) -> io::Result<File> {
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    use std::os::unix::fs::OpenOptionsExt;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    let flags = fcntl_getfl(&file)?;
    fcntl_setfl(&file, flags - OFlags::NONBLOCK)?;
    Ok(file)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> io::Result<File> {
    File::open(path)
}

// ------------------------------------------------------------------ writing

/// Replaces the contents of `path` with `bytes`, as the module docs say:
/// through symbolic links, never over a file that is not a regular file,
/// keeping the old file's permissions and owner, all or nothing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let target = resolve_links(path)?;
    let linked = target != path;
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(FileError::io(&target, e, true).linked(linked)),
    };
    if let Some(m) = &existing {
        if let Some(what) = what_it_is(m) {
            return Err(FileError::new(&target, FileErrorKind::NotRegular(what)).linked(linked));
        }
        // Renaming over a file needs only the folder's permission; a file
        // its owner made read-only is refused as a plain write would be.
        open_for_writing(&target).map_err(|e| FileError::io(&target, e, true).linked(linked))?;
    }
    write_via_temporary(&target, bytes, existing.as_ref())
        .map_err(|e| FileError::io(&target, e, true).linked(linked))
}

/// The folder a file is in ("." for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `bytes` to a new temporary file beside `target` and renames it
/// over `target`; the temporary file is removed if any step fails (dropping
/// a `NamedTempFile` deletes it).
fn write_via_temporary(target: &Path, bytes: &[u8], existing: Option<&Metadata>) -> io::Result<()> {
    let dir = folder_of(target);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".deriv-").suffix(".tmp");
    #[cfg(unix)]
    if existing.is_none() {
        // A new file gets the usual mode (0666 less the umask); tempfile's own
        // default, 0600, is for files that stay temporary.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(m) = existing {
        copy_owner(tmp.as_file(), m);
        // After the owner: changing the owner may clear set-id bits.
        tmp.as_file().set_permissions(m.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    sync_folder(dir);
    Ok(())
}

/// Gives the new file the old one's owner and group where the process may
/// (root may; others may change the group to one of theirs). A refusal is
/// not an error: the file is then the writer's, as with any editor.
#[cfg(unix)]
fn copy_owner(file: &File, old: &Metadata) {
    use std::os::unix::fs::{MetadataExt, fchown};
    let Ok(new) = file.metadata() else {
        return;
    };
    if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
        let _ = fchown(file, Some(old.uid()), Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn copy_owner(_: &File, _: &Metadata) {}

/// Makes the rename itself durable. Some file systems cannot sync a folder;
/// the file is in place by then, so a failure here is not reported.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Appends `bytes` to `path` in one write, creating it if need be (the
/// prompt's history, where two prompts may append at once). A target that
/// is not a regular file is refused, and opening never waits on a FIFO.
pub fn append(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let err = |e: io::Error| FileError::io(path, e, true);
    match fs::metadata(path) {
        Ok(m) => {
            if let Some(what) = what_it_is(&m) {
                return Err(FileError::new(&real(path), FileErrorKind::NotRegular(what))
                    .linked(is_link(path)));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    nonblocking(&mut options);
    let mut f = options.open(path).map_err(err)?;
    f.write_all(bytes).map_err(err)
}

/// Opens an existing file for writing, without truncating it and without
/// waiting on a FIFO that took its place.
fn open_for_writing(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true);
    nonblocking(&mut options);
    options.open(path)
}

fn nonblocking(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    #[cfg(not(unix))]
    let _ = options;
}

// ------------------------------------------------------------------ paths

/// Whether `path` is (or links to) a regular file.
pub fn is_regular(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Where `path` really is, for messages (itself if that cannot be known).
fn real(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The error for a link whose chain ends nowhere.
fn link_end(path: &Path) -> Option<FileError> {
    let end = resolve_links(path).ok()?;
    Some(FileError::new(&end, FileErrorKind::Missing).linked(true))
}

/// Follows symbolic links from `path` to the path they end at, which may
/// not exist yet (a dangling link is written through, creating its target,
/// as editors do). Links in the folders above are left to the system.
pub fn resolve_links(path: &Path) -> Result<PathBuf, FileError> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p).map_err(|e| FileError::io(&p, e, false))?;
                // A relative target is relative to the link's own folder.
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(FileError::new(path, FileErrorKind::TooManyLinks))
}

/// `~` or `~/…` at the start of a path is the home directory (`$HOME`, or
/// `%USERPROFILE%` on Windows); any other path is returned as it is.
pub fn expand_home(path: &str) -> PathBuf {
    let rest = match path.strip_prefix('~') {
        Some("") => "",
        Some(r) if r.starts_with('/') || r.starts_with(std::path::MAIN_SEPARATOR) => &r[1..],
        _ => return PathBuf::from(path),
    };
    let home = std::env::var_os(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
        .filter(|h| !h.is_empty());
    match home {
        Some(h) => PathBuf::from(h).join(rest),
        None => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_rename_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder that is not empty cannot be renamed over: the last step fails.
        let target = dir.path().join("full");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "kept").unwrap();
        assert!(write_via_temporary(&target, b"new", None).is_err());
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "a temporary file was left behind");
        assert_eq!(fs::read_to_string(target.join("inside")).unwrap(), "kept");
    }

    #[test]
    fn reads_are_bounded_by_what_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, "12345").unwrap();
        assert_eq!(read_bounded(&p, 5).unwrap(), b"12345");
        let e = read_bounded(&p, 4).unwrap_err();
        assert!(matches!(e.kind, FileErrorKind::TooLarge { limit: 4 }));
        #[cfg(unix)]
        {
            let e = read_bounded(Path::new("/dev/zero"), 1000).unwrap_err();
            assert!(matches!(e.kind, FileErrorKind::TooLarge { limit: 1000 }));
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_resolve_relative_to_their_folder_and_loops_stop() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        symlink("sub/real", dir.path().join("a")).unwrap();
        symlink("../a", dir.path().join("sub/b")).unwrap();
        assert_eq!(
            resolve_links(&dir.path().join("sub/b")).unwrap(),
            dir.path()
                .join("sub/../a")
                .parent()
                .unwrap()
                .join("sub/real")
        );
        symlink("loop", dir.path().join("loop")).unwrap();
        let e = resolve_links(&dir.path().join("loop")).unwrap_err();
        assert!(matches!(e.kind, FileErrorKind::TooManyLinks));
    }

    #[test]
    fn home_is_expanded_only_at_the_start() {
        if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            assert_eq!(expand_home("~/a.deriv"), PathBuf::from(&h).join("a.deriv"));
            assert_eq!(expand_home("~"), PathBuf::from(&h));
        }
        assert_eq!(expand_home("a/~/b"), PathBuf::from("a/~/b"));
        assert_eq!(expand_home("~user/b"), PathBuf::from("~user/b"));
    }
}
