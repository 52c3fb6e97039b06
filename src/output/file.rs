//! Output files that never clobber and never leave debris (issue #14).
//!
//! Rules, documented in README "Output files":
//! - `-` and `/dev/stdout` write to standard output.
//! - Only regular files are ever replaced: a device, FIFO, socket or folder
//!   at the path is an error naming the flag. A symlink is followed: its
//!   target (which must be a regular file or not exist yet, in an existing
//!   folder) is replaced and the link is kept.
//! - Every output path is checked (folder exists and is writable, nothing
//!   but a regular file stands there) by [`check_output`] before any work.
//! - A file is written to a temporary `.inrsamp-<pid>-<n>.tmp` beside its
//!   target (created with mode 0666 minus the umask), fsynced, then renamed.
//! - Inside an [`OutputTransaction`] renames wait for the commit, so a run
//!   that fails leaves none of its outputs; dropping the transaction removes
//!   the temporary files.
//! - [`install_signal_cleanup`] removes live temporary files on SIGINT,
//!   SIGTERM and SIGHUP; [`sweep_stale`] removes temporary files whose
//!   process (the pid in the name) no longer exists.

use crate::error::{Error, Result};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Prefix of every temporary file.
pub const TEMP_PREFIX: &str = ".inrsamp-";
/// Suffix of every temporary file.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Temporary files alive now (removed on a signal).
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
type Staged = Option<Vec<(PathBuf, PathBuf)>>;

thread_local! {
    /// (temporary, target) pairs waiting for this thread's open transaction.
    static STAGED: std::cell::RefCell<Staged> = const { std::cell::RefCell::new(None) };
}
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    /// Standard output (`-` or `/dev/stdout`).
    Stdout,
    /// A regular file (symlinks resolved).
    File(PathBuf),
}

/// True for the spellings of standard output.
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdout")
}

fn refuse(flag: &'static str, path: &Path, reason: impl Into<String>) -> Error {
    Error::setting(flag, path.display(), reason)
}

fn kind_of(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if m.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Resolves and checks an output path for the flag `flag` before any work:
/// nothing but a regular file may stand at the (link-resolved) path, and its
/// folder must exist and accept a new file (probed by creating and removing
/// a temporary file).
pub fn check_output(flag: &'static str, path: &Path) -> Result<OutputTarget> {
    if is_stdout(path) {
        return Ok(OutputTarget::Stdout);
    }
    if path.as_os_str().is_empty() {
        return Err(refuse(flag, path, "an empty path"));
    }
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(t) => t,
            Err(_) => {
                return Err(refuse(
                    flag,
                    path,
                    "a symlink whose target does not exist; give the target path itself",
                ));
            }
        },
        Ok(_) => path.to_path_buf(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(Error::io(path, e)),
    };
    match std::fs::metadata(&target) {
        Ok(m) if m.is_file() => {}
        Ok(m) => {
            return Err(refuse(
                flag,
                path,
                format!(
                    "{} stands there; inrsamp replaces only regular files (use - for stdout)",
                    kind_of(&m)
                ),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    let dir = folder_of(&target);
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(refuse(
                flag,
                path,
                format!("{} is not a folder", dir.display()),
            ));
        }
        Err(_) => {
            return Err(refuse(
                flag,
                path,
                format!("the folder {} does not exist", dir.display()),
            ));
        }
    }
    let (probe, file) = create_temp(&dir).map_err(|e| {
        refuse(
            flag,
            path,
            format!("cannot create a file in {}: {e}", dir.display()),
        )
    })?;
    drop(file);
    let _ = std::fs::remove_file(&probe);
    forget_live(&probe);
    Ok(OutputTarget::File(target))
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates `.inrsamp-<pid>-<n>.tmp` in `dir` (mode 0666 minus the umask)
/// and registers it for signal cleanup.
fn create_temp(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let pid = std::process::id();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{TEMP_PREFIX}{pid}-{n}{TEMP_SUFFIX}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => {
                lock(&LIVE).push(path.clone());
                return Ok((path, f));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

fn forget_live(path: &Path) {
    lock(&LIVE).retain(|p| p != path);
}

fn discard(path: &Path) {
    let _ = std::fs::remove_file(path);
    forget_live(path);
}

/// A file being written: a registered temporary file that becomes the
/// target on [`PendingFile::finish`] (or at the transaction's commit), and
/// is removed if dropped unfinished.
pub struct PendingFile {
    tmp: PathBuf,
    target: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl PendingFile {
    /// Opens a temporary file for `path` (checked as by [`check_output`];
    /// standard output is refused here: use [`write_atomic`]).
    pub fn create(flag: &'static str, path: &Path) -> Result<Self> {
        let target = match check_output(flag, path)? {
            OutputTarget::File(t) => t,
            OutputTarget::Stdout => {
                return Err(refuse(flag, path, "this output cannot go to stdout"));
            }
        };
        let dir = folder_of(&target);
        sweep_stale(&dir);
        let (tmp, file) = create_temp(&dir).map_err(|e| Error::io(path, e))?;
        Ok(PendingFile {
            tmp,
            target,
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    /// The writer of the temporary file.
    pub fn writer(&mut self) -> &mut dyn Write {
        self.file
            .as_mut()
            .expect("a pending file is open until finished")
    }

    /// Flushes, fsyncs and renames (or stages the rename when a transaction
    /// is open).
    pub fn finish(mut self) -> Result<()> {
        let w = self
            .file
            .take()
            .expect("a pending file is open until finished");
        let f = w
            .into_inner()
            .map_err(|e| Error::io(&self.target, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&self.target, e))?;
        drop(f);
        let pair = (self.tmp.clone(), self.target.clone());
        let staged = STAGED.with_borrow_mut(|s| match s.as_mut() {
            Some(list) => {
                list.push(pair);
                true
            }
            None => false,
        });
        if staged {
            self.tmp = PathBuf::new();
            return Ok(());
        }
        let res = std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e));
        if res.is_ok() {
            forget_live(&self.tmp);
            self.tmp = PathBuf::new();
        }
        res
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file.take();
            discard(&self.tmp);
        }
    }
}

/// Writes `path` atomically: `write` fills a temporary file beside the
/// target, which replaces it only when `write` succeeded. `-` and
/// `/dev/stdout` write to standard output. The flag names the path in errors.
pub fn write_output(
    flag: &'static str,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if is_stdout(path) {
        let mut out = std::io::stdout().lock();
        write(&mut out).map_err(|e| Error::io("stdout", e))?;
        return out.flush().map_err(|e| Error::io("stdout", e));
    }
    let mut p = PendingFile::create(flag, path)?;
    write(p.writer()).map_err(|e| Error::io(path, e))?;
    p.finish()
}

/// [`write_output`] for callers without a flag name.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    write_output("output", path, write)
}

/// All-or-nothing outputs: while it is open, finished files wait for
/// [`OutputTransaction::commit`]; dropping it uncommitted removes them.
/// One transaction per thread at a time (a second `begin` on the same
/// thread is an error); files finished on other threads are not staged.
pub struct OutputTransaction {
    open: bool,
}

impl OutputTransaction {
    /// Opens the process's transaction.
    pub fn begin() -> Result<Self> {
        let opened = STAGED.with_borrow_mut(|s| {
            if s.is_some() {
                return false;
            }
            *s = Some(Vec::new());
            true
        });
        if !opened {
            return Err(Error::Numerical {
                what: "an output transaction is already open on this thread".into(),
            });
        }
        Ok(OutputTransaction { open: true })
    }

    /// Renames every finished file into place (all were written and fsynced
    /// before the first rename).
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        let list = STAGED.with_borrow_mut(|s| s.take()).unwrap_or_default();
        let mut first_err = None;
        for (tmp, target) in list {
            if first_err.is_some() {
                discard(&tmp);
                continue;
            }
            match std::fs::rename(&tmp, &target) {
                Ok(()) => forget_live(&tmp),
                Err(e) => {
                    discard(&tmp);
                    first_err = Some(Error::io(&target, e));
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

impl Drop for OutputTransaction {
    fn drop(&mut self) {
        if self.open {
            for (tmp, _) in STAGED.with_borrow_mut(|s| s.take()).unwrap_or_default() {
                discard(&tmp);
            }
        }
    }
}

/// Removes every live temporary file (for signal handlers and fatal exits).
pub fn remove_live_temps() {
    let live: Vec<PathBuf> = std::mem::take(&mut *lock(&LIVE));
    for p in live {
        let _ = std::fs::remove_file(p);
    }
}

/// Installs a handler that removes live temporary files and exits with
/// 130 on SIGINT, SIGTERM or SIGHUP. Idempotent (later calls do nothing).
pub fn install_signal_cleanup() {
    let _ = ctrlc::set_handler(|| {
        remove_live_temps();
        let _ = std::io::stderr().write_all(b"interrupted: temporary files removed\n");
        std::process::exit(130);
    });
}

/// Parses the pid of a temporary file name of ours, `.inrsamp-<pid>-<n>.tmp`.
pub fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u64>().ok()?;
    pid.parse::<u32>().ok()
}

/// Removes the temporary files in `dir` whose name is ours and whose process
/// is gone (no `/proc/<pid>`); does nothing where `/proc` is absent. Returns
/// how many were removed.
pub fn sweep_stale(dir: &Path) -> usize {
    if !Path::new("/proc/self").exists() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id();
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else {
            continue;
        };
        let is_file = e.file_type().map(|t| t.is_file()).unwrap_or(false);
        if pid != me
            && is_file
            && !Path::new(&format!("/proc/{pid}")).exists()
            && std::fs::remove_file(e.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}
