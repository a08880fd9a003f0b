//! gzip for text answers (pages, scripts, JSON, CSV) when the client says it takes it. The
//! console's scripts are about 230 KB as written (`i18n.js` alone 67 KB); gzip makes them a
//! quarter of that, which is what a phone on a slow link waits for before the first paint.
//! `usher serve` compresses every text answer (API and pages); the `web` function its pages
//! (API Gateway does not compress). Embedded files are compressed once and kept ([`Site`]).
//!
//! [`Site`]: crate::Site

use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write as _;

/// Smaller bodies are sent as they are: gzip's header and a round of CPU buy nothing there.
pub const MIN_BYTES: usize = 1024;

/// Whether `Accept-Encoding` allows gzip: `gzip` or `*` with a q-value above zero (RFC 9110
/// §12.5.3; `gzip;q=0` refuses it, and so does `*;q=0` without a `gzip` entry).
pub fn accepts_gzip(headers: &http::HeaderMap) -> bool {
    let mut star = None;
    for value in headers.get_all(http::header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => return q > 0.0,
                "*" => star = Some(q > 0.0),
                _ => {}
            }
        }
    }
    star.unwrap_or(false)
}

/// Whether a body of this type shrinks under gzip: text, JSON (also problem+json), SVG, CSV.
/// XLSX files and images are compressed already.
pub fn is_compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence.starts_with("text/") || essence == "image/svg+xml" || essence == "application/javascript" || essence.ends_with("json")
}

/// The body gzipped (level 6, zlib's default: most of level 9's gain for a third of its time).
pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 3 + 64), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// Compresses `response` in place when the request's headers accept gzip and its body is
/// compressible text of at least [`MIN_BYTES`]; `gzipped` makes the compressed body from the
/// plain one (or hands over a cached copy). Every compressible answer says `Vary:
/// Accept-Encoding`, so a cache never gives a gzipped body to a client that did not ask for one.
pub fn negotiate<B: AsRef<[u8]>>(request: &http::HeaderMap, response: &mut http::Response<B>, gzipped: impl FnOnce(&[u8]) -> B) {
    let headers = response.headers();
    let content_type = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !is_compressible(content_type) || headers.contains_key(http::header::CONTENT_ENCODING) {
        return;
    }
    response.headers_mut().append(http::header::VARY, http::HeaderValue::from_static("accept-encoding"));
    if response.body().as_ref().len() < MIN_BYTES || !accepts_gzip(request) {
        return;
    }
    let body = gzipped(response.body().as_ref());
    *response.body_mut() = body;
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_ENCODING, http::HeaderValue::from_static("gzip"));
    headers.remove(http::header::CONTENT_LENGTH);
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read as _;

    fn accept(value: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::ACCEPT_ENCODING, http::HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn gzip_is_accepted_as_browsers_and_rfc_9110_say() {
        for yes in ["gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8", "*", "identity, *;q=0.5", "GZIP"] {
            assert!(accepts_gzip(&accept(yes)), "{yes}");
        }
        for no in ["", "br", "identity", "gzip;q=0", "gzip;q=0.0, *", "*;q=0", "deflate"] {
            assert!(!accepts_gzip(&accept(no)), "{no}");
        }
        assert!(!accepts_gzip(&http::HeaderMap::new()));
    }

    #[test]
    fn text_and_json_are_compressed_and_files_that_are_compressed_already_are_not() {
        for yes in
            ["text/html; charset=utf-8", "text/javascript", "application/json", "application/problem+json", "image/svg+xml", "text/csv"]
        {
            assert!(is_compressible(yes), "{yes}");
        }
        for no in ["image/png", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream", ""] {
            assert!(!is_compressible(no), "{no}");
        }
    }

    fn response(content_type: &str, body: &[u8]) -> http::Response<Vec<u8>> {
        let mut r = http::Response::new(body.to_vec());
        r.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_str(content_type).unwrap());
        r
    }

    #[test]
    fn a_large_text_answer_is_gzipped_and_reads_back_the_same() {
        let body = "{\"data\":[".to_owned() + &"{\"email\":\"someone@example.com\"},".repeat(200) + "{}]}";
        let mut r = response("application/json", body.as_bytes());
        negotiate(&accept("gzip"), &mut r, gzip);
        assert_eq!(r.headers()[http::header::CONTENT_ENCODING], "gzip");
        assert_eq!(r.headers()[http::header::VARY], "accept-encoding");
        assert!(r.body().len() < body.len() / 10, "{} of {}", r.body().len(), body.len());
        let mut back = String::new();
        GzDecoder::new(r.body().as_slice()).read_to_string(&mut back).unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn small_answers_binary_files_and_clients_without_gzip_get_the_body_as_it_is() {
        let big = vec![b'a'; 4096];
        let cases =
            [("application/json", &b"{}"[..], "gzip", true), ("image/png", &big[..], "gzip", false), ("text/html", &big[..], "br", true)];
        for (content_type, body, accepted, varies) in cases {
            let mut r = response(content_type, body);
            negotiate(&accept(accepted), &mut r, gzip);
            assert_eq!(r.body().as_slice(), body, "{content_type} {accepted}");
            assert!(!r.headers().contains_key(http::header::CONTENT_ENCODING));
            assert_eq!(r.headers().contains_key(http::header::VARY), varies, "{content_type}");
        }
    }
}
