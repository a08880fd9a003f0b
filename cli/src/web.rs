//! The web client `usher serve` hands out at `/`: the invitee's landing page (`/accept`), the
//! email-change confirmation (`/confirm-email`) and the admin console (`/`). The files live in
//! `web/` and are built into the binary (`build.rs`); `--web-dir` serves them from disk instead,
//! for editing them without a rebuild. They call only the public JSON API under `/v1`.

use axum::body::Body;
use axum::response::Response;
use std::path::PathBuf;

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The Content-Security-Policy of every page: scripts, styles and API calls from this origin
/// only, no inline script, no framing (clickjacking on the accept and delete buttons).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                       frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// Where the files come from.
#[derive(Clone, Debug)]
pub enum WebAssets {
    /// Built into the binary.
    Embedded,
    /// Read from a folder on each request (development).
    Dir(PathBuf),
}

impl WebAssets {
    /// The response for a GET of `path`, or `None` when it names no page or file.
    pub async fn get(&self, path: &str) -> Option<Response> {
        let file = file_for(path)?;
        let bytes = match self {
            Self::Embedded => ASSETS.iter().find(|(name, _)| *name == file).map(|(_, b)| b.to_vec())?,
            Self::Dir(dir) => tokio::fs::read(dir.join(&file)).await.ok()?,
        };
        Some(
            Response::builder()
                .header(http::header::CONTENT_TYPE, content_type(&file))
                .header(http::header::CONTENT_SECURITY_POLICY, CSP)
                .header(http::header::X_CONTENT_TYPE_OPTIONS, "nosniff")
                .header(http::header::REFERRER_POLICY, "no-referrer")
                .header(http::header::X_FRAME_OPTIONS, "DENY")
                // Pages are small and change with the binary; never serve a stale console.
                .header(http::header::CACHE_CONTROL, "no-cache")
                .body(Body::from(bytes))
                .unwrap_or_default(),
        )
    }
}

/// The file a path names: the three pages by their route, other files by their own name. Only
/// plain names (letters, digits, `-`, `_`, `.`, one level of folders): no `..`, no hidden files.
fn file_for(path: &str) -> Option<String> {
    let page = match path {
        "/" | "/index.html" => return Some("index.html".into()),
        "/accept" | "/accept/" => return Some("accept.html".into()),
        "/confirm-email" | "/confirm-email/" => return Some("confirm-email.html".into()),
        other => other.strip_prefix('/')?,
    };
    let plain = |seg: &str| !seg.is_empty() && !seg.starts_with('.') && seg.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let segments: Vec<&str> = page.split('/').collect();
    (segments.len() <= 2 && segments.iter().all(|s| plain(s))).then(|| page.to_owned())
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "csv" => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_routes_name_their_files() {
        assert_eq!(file_for("/").as_deref(), Some("index.html"));
        assert_eq!(file_for("/accept").as_deref(), Some("accept.html"));
        assert_eq!(file_for("/confirm-email").as_deref(), Some("confirm-email.html"));
        assert_eq!(file_for("/assets/app.js").as_deref(), Some("assets/app.js"));
    }

    #[test]
    fn no_path_escapes_the_web_folder() {
        for bad in ["/../Cargo.toml", "/assets/../../x", "/.hidden", "/a/b/c.js", "/%2e%2e/x", "//etc/passwd", "/a\\b"] {
            assert_eq!(file_for(bad), None, "{bad}");
        }
    }
}
