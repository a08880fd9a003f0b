//! Large export files on a local run: written under `<data dir>/exports/`, downloaded through a
//! one-time link that `usher serve` answers (`GET /downloads/<token>`), like a presigned URL that
//! works once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use usher_domain::ports::{FileError, FileStore, FileUpload, UploadState};

/// The path one-time links are served under.
pub const DOWNLOAD_PATH: &str = "/downloads/";

/// A file a one-time link opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Where the file is.
    pub path: PathBuf,
    /// The name the download suggests.
    pub filename: String,
    /// Its content type (from the extension).
    pub content_type: &'static str,
}

/// Files under a directory, with one-time download links.
pub struct LocalFiles {
    root: PathBuf,
    base_url: String,
    links: Mutex<HashMap<String, (Download, Instant)>>,
}

impl LocalFiles {
    /// Files under `root`; links start with `base_url` (`http://127.0.0.1:8080`).
    pub fn new(root: &Path, base_url: &str) -> Self {
        Self { root: root.to_owned(), base_url: base_url.trim_end_matches('/').to_owned(), links: Mutex::new(HashMap::new()) }
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, FileError> {
        // Keys are Usher's own (`exports/<tenant>/<id>.<ext>`); refuse anything that could leave the root.
        if key.split('/').any(|part| part.is_empty() || part == "." || part == "..") || key.contains('\\') {
            return Err(FileError(format!("not a file key: {key}")));
        }
        Ok(self.root.join(key))
    }

    /// Opens a one-time link's file (once; a used or expired link opens nothing).
    pub fn redeem(&self, token: &str) -> Option<Download> {
        let mut links = self.links.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (download, until) = links.remove(token)?;
        (Instant::now() < until).then_some(download)
    }
}

/// A file being written: parts are appended to `<key>.part`, renamed on finish.
struct LocalUpload {
    partial: PathBuf,
    done: PathBuf,
    file: std::fs::File,
    bytes: u64,
}

#[async_trait::async_trait]
impl FileUpload for LocalUpload {
    async fn write(&mut self, bytes: Vec<u8>) -> Result<(), FileError> {
        use std::io::Write;
        self.file.write_all(&bytes).map_err(|e| FileError(e.to_string()))?;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    async fn stored(&mut self) -> Result<Option<UploadState>, FileError> {
        // On disk, not only in the page cache: a checkpoint must survive the machine too.
        self.file.sync_data().map_err(|e| FileError(e.to_string()))?;
        Ok(Some(UploadState { upload_id: String::new(), parts: Vec::new(), bytes: self.bytes }))
    }

    async fn finish(self: Box<Self>) -> Result<u64, FileError> {
        self.file.sync_all().map_err(|e| FileError(e.to_string()))?;
        std::fs::rename(&self.partial, &self.done).map_err(|e| FileError(e.to_string()))?;
        Ok(self.bytes)
    }

    async fn abort(self: Box<Self>) {
        let _ = std::fs::remove_file(&self.partial);
    }
}

#[async_trait::async_trait]
impl FileStore for LocalFiles {
    async fn begin(&self, key: &str, _content_type: &str) -> Result<Box<dyn FileUpload>, FileError> {
        let done = self.path_of(key)?;
        if let Some(dir) = done.parent() {
            std::fs::create_dir_all(dir).map_err(|e| FileError(e.to_string()))?;
        }
        let partial = done.with_extension("part");
        let file = std::fs::File::create(&partial).map_err(|e| FileError(e.to_string()))?;
        Ok(Box::new(LocalUpload { partial, done, file, bytes: 0 }))
    }

    async fn resume(&self, key: &str, _content_type: &str, stored: &UploadState) -> Result<Box<dyn FileUpload>, FileError> {
        let done = self.path_of(key)?;
        let partial = done.with_extension("part");
        let file = std::fs::OpenOptions::new().write(true).open(&partial).map_err(|e| FileError(e.to_string()))?;
        let len = file.metadata().map_err(|e| FileError(e.to_string()))?.len();
        if len < stored.bytes {
            return Err(FileError(format!("{key} holds {len} bytes, fewer than its checkpoint's {}", stored.bytes)));
        }
        // What the worker that died wrote after its checkpoint is written again from there.
        file.set_len(stored.bytes).map_err(|e| FileError(e.to_string()))?;
        let mut file = file;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(stored.bytes)).map_err(|e| FileError(e.to_string()))?;
        Ok(Box::new(LocalUpload { partial, done, file, bytes: stored.bytes }))
    }

    async fn link(&self, key: &str, filename: &str, ttl_secs: u64) -> Result<String, FileError> {
        let path = self.path_of(key)?;
        if !path.exists() {
            return Err(FileError(format!("no file {key}")));
        }
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _ => "text/csv; charset=utf-8",
        };
        let mut raw = [0u8; 24];
        usher_domain::ports::Random::fill(&crate::OsRandom, &mut raw);
        let token = usher_domain::token::hex(&raw);
        let until = Instant::now() + Duration::from_secs(ttl_secs);
        let download = Download { path, filename: filename.to_owned(), content_type };
        self.links.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(token.clone(), (download, until));
        Ok(format!("{}{DOWNLOAD_PATH}{token}", self.base_url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_written_in_parts_opens_once_through_its_link_and_keys_cannot_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let files = LocalFiles::new(dir.path(), "http://127.0.0.1:8080/");
        let mut up = files.begin("exports/ten_1/abc.csv", "text/csv").await.unwrap();
        up.write(b"id,name\r\n".to_vec()).await.unwrap();
        up.write(b"usr_1,Ada\r\n".to_vec()).await.unwrap();
        assert_eq!(up.finish().await.unwrap(), 20);
        let link = files.link("exports/ten_1/abc.csv", "members.csv", 60).await.unwrap();
        let token = link.strip_prefix("http://127.0.0.1:8080/downloads/").expect("a download link");
        let got = files.redeem(token).expect("the link opens");
        assert_eq!(std::fs::read(&got.path).unwrap(), b"id,name\r\nusr_1,Ada\r\n");
        assert_eq!(got.filename, "members.csv");
        assert!(files.redeem(token).is_none(), "once");
        assert!(files.begin("exports/../../etc/passwd", "text/csv").await.is_err());
        let aborted = files.begin("exports/ten_1/gone.csv", "text/csv").await.unwrap();
        aborted.abort().await;
        assert!(files.link("exports/ten_1/gone.csv", "x.csv", 60).await.is_err(), "an aborted file is not there");
    }
}
