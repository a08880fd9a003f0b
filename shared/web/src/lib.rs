//! The web client every host serves: the admin console (`/`), the invitee's landing page
//! (`/accept`) and the email-change confirmation (`/confirm-email`), from `web/`, built into
//! the binary (`build.rs`). `usher serve` and the stack's `web` function both answer page
//! requests with [`Site::get`], so the pages, their headers and their Content-Security-Policy
//! are the same locally and deployed. The pages call only the public JSON API under `/v1`, on
//! the same origin (no CORS).
//!
//! The one thing that differs per host is how people sign in ([`SignIn`]); the pages read it
//! from `/config.json`.

use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub mod compress;

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The routes the stack sends to the `web` function (GET, no authorizer; `template.yaml`,
/// checked by `infra/scripts/check_template.py`). Everything else on the origin is the API.
pub const PAGE_ROUTES: &[&str] = &["/", "/accept", "/confirm-email", "/config.json", "/assets/{file}"];

/// The site configuration the pages fetch before anything else.
pub const CONFIG_PATH: &str = "/config.json";

/// The scopes the console asks for: an ID token with the verified email and the name.
pub const DEFAULT_SCOPE: &str = "openid email profile";

/// How the pages sign people in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SignIn {
    /// `usher serve` only: an email in, a locally signed JWT out (`POST /dev/sign-in`).
    Development,
    /// The authorization code flow with PKCE against the stack's Cognito hosted UI or an
    /// external issuer; the pages send the ID token as the Bearer.
    Oidc(OidcClient),
    /// A deployment that has not said where its pages live yet (no callback URL registered):
    /// the pages explain it instead of sending people to a sign-in that would refuse them.
    Unconfigured,
}

/// A public OIDC client (no secret: PKCE protects the code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OidcClient {
    pub client_id: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub scope: String,
    /// Where signing out sends the browser, to end the provider's session too.
    pub logout_url: Option<String>,
}

/// A setting that cannot be used as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct WebConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl OidcClient {
    /// Checks every address: HTTPS, or plain HTTP on a loopback host (tests, `usher serve`).
    pub fn new(
        client_id: &str,
        authorization_endpoint: &str,
        token_endpoint: &str,
        scope: Option<&str>,
        logout_url: Option<&str>,
    ) -> Result<Self, WebConfigError> {
        let client_id = client_id.trim();
        if client_id.is_empty() || client_id.len() > 255 || client_id.chars().any(char::is_control) {
            return Err(WebConfigError { name: "client id", reason: "must be 1 to 255 printable characters".into() });
        }
        origin("authorization endpoint", authorization_endpoint)?;
        origin("token endpoint", token_endpoint)?;
        if let Some(url) = logout_url {
            origin("logout URL", url)?;
        }
        Ok(Self {
            client_id: client_id.to_owned(),
            authorization_endpoint: authorization_endpoint.to_owned(),
            token_endpoint: token_endpoint.to_owned(),
            scope: scope.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_SCOPE).to_owned(),
            logout_url: logout_url.map(str::to_owned),
        })
    }
}

impl SignIn {
    /// The `web` function's setting, read once at cold start: `USHER_OIDC_CLIENT_ID`,
    /// `USHER_OIDC_AUTHORIZATION_ENDPOINT`, `USHER_OIDC_TOKEN_ENDPOINT`, and optionally
    /// `USHER_OIDC_SCOPE` and `USHER_OIDC_LOGOUT_URL`. No authorization endpoint (the stack
    /// leaves them empty until its `PublicUrl` is known) means [`SignIn::Unconfigured`].
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, WebConfigError> {
        let get = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let Some(authorize) = get("USHER_OIDC_AUTHORIZATION_ENDPOINT") else { return Ok(Self::Unconfigured) };
        let required =
            |name: &'static str| get(name).ok_or(WebConfigError { name, reason: "required with USHER_OIDC_AUTHORIZATION_ENDPOINT".into() });
        let client = OidcClient::new(
            &required("USHER_OIDC_CLIENT_ID")?,
            &authorize,
            &required("USHER_OIDC_TOKEN_ENDPOINT")?,
            get("USHER_OIDC_SCOPE").as_deref(),
            get("USHER_OIDC_LOGOUT_URL").as_deref(),
        )?;
        Ok(Self::Oidc(client))
    }
}

/// The endpoints an issuer's discovery document gave (read by the host: this crate does no I/O).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovered {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub end_session_endpoint: Option<String>,
}

impl SignIn {
    /// As [`SignIn::from_env`], with the issuer's discovered endpoints standing in for the
    /// variables that are not set (a variable that is set wins): `USHER_OIDC_ISSUER` and
    /// `USHER_OIDC_CLIENT_ID` then suffice.
    pub fn from_env_or_discovered(var: impl Fn(&str) -> Option<String>, discovered: Option<&Discovered>) -> Result<Self, WebConfigError> {
        Self::from_env(|name| {
            var(name).filter(|v| !v.trim().is_empty()).or_else(|| {
                let d = discovered?;
                match name {
                    "USHER_OIDC_AUTHORIZATION_ENDPOINT" => Some(d.authorization_endpoint.clone()),
                    "USHER_OIDC_TOKEN_ENDPOINT" => Some(d.token_endpoint.clone()),
                    "USHER_OIDC_LOGOUT_URL" => d.end_session_endpoint.clone(),
                    _ => None,
                }
            })
        })
    }
}

/// The origin (`scheme://host[:port]`) of an endpoint the pages call or visit. Only HTTPS, or
/// HTTP on a loopback host; the host is plain letters, digits, dots and dashes, so the origin
/// can go into the Content-Security-Policy as it is.
fn origin(name: &'static str, url: &str) -> Result<String, WebConfigError> {
    let bad = |reason: &str| WebConfigError { name, reason: format!("{reason} (got {url:?})") };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("not an absolute URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => (host, Some(port)),
        Some(_) => return Err(bad("the port is not a number")),
        None => (authority, None),
    };
    let plain_host = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !plain_host || url.chars().any(|c| c.is_whitespace() || c.is_control() || c == ';' || c == '\'' || c == '"') {
        return Err(bad("not a plain https URL"));
    }
    match scheme {
        "https" => {}
        "http" if matches!(host, "127.0.0.1" | "localhost") => {}
        _ => return Err(bad("must be https (or http on 127.0.0.1 / localhost)")),
    }
    Ok(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Where the files come from.
#[derive(Clone, Debug)]
pub enum Files {
    /// Built into the binary.
    Embedded,
    /// Read from a folder on each request (editing the pages without a rebuild).
    Dir(PathBuf),
}

/// The pages as one host serves them.
#[derive(Clone, Debug)]
pub struct Site {
    files: Files,
    sign_in: SignIn,
    csp: String,
    /// `/config.json`'s body, written once (it changes only with the settings).
    config: Vec<u8>,
    /// Each built-in file gzipped, made on its first request and kept (they never change).
    gzipped: Arc<[OnceLock<Vec<u8>>]>,
}

impl Site {
    pub fn new(files: Files, sign_in: SignIn) -> Self {
        let csp = content_security_policy(&sign_in);
        let config = serde_json::to_vec(&serde_json::json!({ "sign_in": sign_in })).unwrap_or_default();
        let gzipped = ASSETS.iter().map(|_| OnceLock::new()).collect();
        Self { files, sign_in, csp, config, gzipped }
    }

    pub fn sign_in(&self) -> &SignIn {
        &self.sign_in
    }

    /// The Content-Security-Policy every page is served with.
    pub fn csp(&self) -> &str {
        &self.csp
    }

    /// The answer to a GET of `path` (no query), or `None` when it names no page or file. Sent as
    /// it is; [`Site::get_for`] gzips it for a client that takes gzip.
    pub async fn get(&self, path: &str) -> Option<http::Response<Vec<u8>>> {
        self.get_for(path, &http::HeaderMap::new()).await
    }

    /// The answer to a GET of `path` for a request with these headers: text gzipped when its
    /// `Accept-Encoding` allows (built-in files compressed once and kept).
    pub async fn get_for(&self, path: &str, request: &http::HeaderMap) -> Option<http::Response<Vec<u8>>> {
        if path == CONFIG_PATH {
            // Read once per page load; a redeploy's change applies to the next load.
            return Some(self.response("application/json; charset=utf-8", "no-store", self.config.clone()));
        }
        let file = file_for(path)?;
        let (bytes, built_in) = match &self.files {
            Files::Embedded => {
                let index = ASSETS.iter().position(|(name, _)| *name == file)?;
                (ASSETS[index].1.to_vec(), Some(index))
            }
            Files::Dir(dir) => (tokio::fs::read(dir.join(&file)).await.ok()?, None),
        };
        // Pages are small and change with the binary; never serve a stale console.
        let mut page = self.response(content_type(&file), "no-cache", bytes);
        compress::negotiate(request, &mut page, |plain| match built_in.and_then(|i| self.gzipped.get(i)) {
            Some(kept) => kept.get_or_init(|| compress::gzip(plain)).clone(),
            None => compress::gzip(plain),
        });
        Some(page)
    }

    /// The `web` function's whole answer: the page for a GET or HEAD, else a problem+json 404
    /// or 405 (API Gateway routes only the pages' paths here; anything else is a client's typo).
    pub async fn answer(&self, method: &http::Method, path: &str, request: &http::HeaderMap) -> http::Response<Vec<u8>> {
        let head = method == http::Method::HEAD;
        if method != http::Method::GET && !head {
            let mut refused = problem(http::StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Pages answer GET and HEAD only.");
            refused.headers_mut().insert(http::header::ALLOW, http::HeaderValue::from_static("GET, HEAD"));
            return refused;
        }
        match self.get_for(path, request).await {
            Some(mut page) => {
                if head {
                    page.body_mut().clear();
                }
                page
            }
            None => problem(http::StatusCode::NOT_FOUND, "not_found", "No page or file has this address."),
        }
    }

    fn response(&self, content_type: &'static str, cache: &'static str, body: Vec<u8>) -> http::Response<Vec<u8>> {
        use http::header;
        let mut response = http::Response::new(body);
        let headers = response.headers_mut();
        let mut set = |name: header::HeaderName, value: &str| {
            if let Ok(value) = header::HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        set(header::CONTENT_TYPE, content_type);
        set(header::CONTENT_SECURITY_POLICY, &self.csp);
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        // No address (with a token in a fragment or a code in a query) leaks to another site.
        set(header::REFERRER_POLICY, "no-referrer");
        set(header::X_FRAME_OPTIONS, "DENY");
        set(header::CACHE_CONTROL, cache);
        response
    }
}

/// An RFC 9457 problem with the API's stable `code`.
fn problem(status: http::StatusCode, code: &str, detail: &str) -> http::Response<Vec<u8>> {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or_default(),
        "status": status.as_u16(),
        "code": code,
        "detail": detail,
    });
    let mut response = http::Response::new(serde_json::to_vec(&body).unwrap_or_default());
    *response.status_mut() = status;
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/problem+json"));
    response
}

/// Scripts, styles and API calls from this origin only (plus the identity provider's token
/// endpoint, which the pages POST the code to), no inline script, no framing (clickjacking on
/// the accept and delete buttons).
fn content_security_policy(sign_in: &SignIn) -> String {
    let mut connect = String::from("'self'");
    if let SignIn::Oidc(client) = sign_in
        && let Ok(token_origin) = origin("token endpoint", &client.token_endpoint)
    {
        connect.push(' ');
        connect.push_str(&token_origin);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )
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

    fn cognito() -> OidcClient {
        OidcClient::new(
            "abc123",
            "https://usher-dev.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
            "https://usher-dev.auth.eu-west-1.amazoncognito.com/oauth2/token",
            None,
            Some("https://usher-dev.auth.eu-west-1.amazoncognito.com/logout?client_id=abc123&logout_uri=https://x.example/"),
        )
        .expect("valid")
    }

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

    #[tokio::test]
    async fn every_page_is_built_in_and_served_with_the_security_headers() {
        let site = Site::new(Files::Embedded, SignIn::Development);
        for path in ["/", "/accept", "/confirm-email", "/assets/api.js", "/assets/style.css"] {
            let page = site.get(path).await.unwrap_or_else(|| panic!("{path} is served"));
            assert!(!page.body().is_empty(), "{path}");
            let csp = page.headers()[http::header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
            assert!(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), "{csp}");
            assert_eq!(page.headers()[http::header::X_FRAME_OPTIONS], "DENY");
        }
        assert!(site.get("/nope.js").await.is_none());
    }

    #[tokio::test]
    async fn the_pages_go_gzipped_to_a_browser_that_takes_gzip_and_plain_to_one_that_does_not() {
        use std::io::Read as _;
        let site = Site::new(Files::Embedded, SignIn::Development);
        let mut gzip = http::HeaderMap::new();
        gzip.insert(http::header::ACCEPT_ENCODING, http::HeaderValue::from_static("gzip, deflate, br"));
        let plain = site.get("/assets/i18n.js").await.expect("served");
        assert!(!plain.headers().contains_key(http::header::CONTENT_ENCODING));
        for _ in 0..2 {
            // the second answer is the kept copy: the same bytes
            let packed = site.answer(&http::Method::GET, "/assets/i18n.js", &gzip).await;
            assert_eq!(packed.headers()[http::header::CONTENT_ENCODING], "gzip");
            assert_eq!(packed.headers()[http::header::VARY], "accept-encoding");
            assert!(packed.body().len() * 3 < plain.body().len(), "{} of {}", packed.body().len(), plain.body().len());
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(packed.body().as_slice()).read_to_end(&mut back).unwrap();
            assert_eq!(&back, plain.body());
        }
        let icon = site.answer(&http::Method::GET, "/assets/favicon.svg", &gzip).await;
        assert_eq!(icon.status(), http::StatusCode::OK);
    }

    #[tokio::test]
    async fn the_site_config_tells_the_pages_how_to_sign_in() {
        let site = Site::new(Files::Embedded, SignIn::Oidc(cognito()));
        let page = site.get(CONFIG_PATH).await.expect("served");
        let config: serde_json::Value = serde_json::from_slice(page.body()).expect("json");
        assert_eq!(config["sign_in"]["kind"], "oidc");
        assert_eq!(config["sign_in"]["client_id"], "abc123");
        assert_eq!(config["sign_in"]["scope"], DEFAULT_SCOPE);
        assert_eq!(page.headers()[http::header::CACHE_CONTROL], "no-store");
        let dev = Site::new(Files::Embedded, SignIn::Development).get(CONFIG_PATH).await.expect("served");
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(dev.body()).expect("json"),
            serde_json::json!({"sign_in": {"kind": "development"}})
        );
    }

    #[tokio::test]
    async fn every_built_in_file_is_reachable_through_a_route_the_stack_sends_to_the_web_function() {
        let site = Site::new(Files::Embedded, SignIn::Development);
        let pages = [("index.html", "/"), ("accept.html", "/accept"), ("confirm-email.html", "/confirm-email")];
        for (file, _) in ASSETS {
            let route = match pages.iter().find(|(page, _)| page == file) {
                Some((_, route)) => route.to_string(),
                None => {
                    let name = file.strip_prefix("assets/").unwrap_or_else(|| panic!("{file}: only pages sit outside web/assets/"));
                    assert!(!name.contains('/'), "{file}: /assets/{{file}} is one level deep");
                    "/assets/{file}".to_owned()
                }
            };
            assert!(PAGE_ROUTES.contains(&route.as_str()), "{file} needs route {route}");
            let path = route.replace("{file}", file.strip_prefix("assets/").unwrap_or_default());
            assert!(site.get(&path).await.is_some(), "{path}");
        }
        assert!(site.get(CONFIG_PATH).await.is_some() && PAGE_ROUTES.contains(&CONFIG_PATH));
    }

    #[tokio::test]
    async fn the_web_function_answers_get_and_head_and_refuses_the_rest_as_problems() {
        let site = Site::new(Files::Embedded, SignIn::Unconfigured);
        let page = site.answer(&http::Method::GET, "/accept", &http::HeaderMap::new()).await;
        assert_eq!(page.status(), http::StatusCode::OK);
        assert!(String::from_utf8_lossy(page.body()).contains("<html"));
        let head = site.answer(&http::Method::HEAD, "/accept", &http::HeaderMap::new()).await;
        assert_eq!(head.status(), http::StatusCode::OK);
        assert!(head.body().is_empty());
        let missing = site.answer(&http::Method::GET, "/assets/missing.js", &http::HeaderMap::new()).await;
        assert_eq!(missing.status(), http::StatusCode::NOT_FOUND);
        assert_eq!(missing.headers()[http::header::CONTENT_TYPE], "application/problem+json");
        let problem: serde_json::Value = serde_json::from_slice(missing.body()).expect("json");
        assert_eq!(problem["code"], "not_found");
        let post = site.answer(&http::Method::POST, "/", &http::HeaderMap::new()).await;
        assert_eq!(post.status(), http::StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.headers()[http::header::ALLOW], "GET, HEAD");
    }

    #[test]
    fn the_pages_may_post_the_code_to_the_token_endpoint_and_nowhere_else() {
        let oidc = Site::new(Files::Embedded, SignIn::Oidc(cognito()));
        assert!(oidc.csp().contains("connect-src 'self' https://usher-dev.auth.eu-west-1.amazoncognito.com;"), "{}", oidc.csp());
        let dev = Site::new(Files::Embedded, SignIn::Development);
        assert!(dev.csp().contains("connect-src 'self';"), "{}", dev.csp());
    }

    #[test]
    fn endpoints_must_be_https_or_loopback_and_cannot_smuggle_policy() {
        let with_token = |url: &str| OidcClient::new("c", "https://idp.example/authorize", url, None, None);
        assert!(with_token("https://idp.example/token").is_ok());
        assert!(with_token("http://127.0.0.1:9000/token").is_ok());
        for bad in [
            "http://idp.example/token",
            "https://idp.example; script-src *",
            "https://idp.example/to'ken",
            "javascript:alert(1)",
            "https://user@idp.example/token",
            "https://idp.example:x/token",
            "idp.example/token",
        ] {
            assert!(with_token(bad).is_err(), "{bad}");
        }
        assert!(OidcClient::new("", "https://a.example/a", "https://a.example/t", None, None).is_err());
    }

    #[test]
    fn discovered_endpoints_fill_in_what_the_environment_leaves_out_and_set_variables_win() {
        let discovered = Discovered {
            authorization_endpoint: "https://idp.example/auth".into(),
            token_endpoint: "https://idp.example/token".into(),
            end_session_endpoint: Some("https://idp.example/session/end".into()),
        };
        let only_client = |name: &str| (name == "USHER_OIDC_CLIENT_ID").then(|| "abc".to_owned());
        let Ok(SignIn::Oidc(c)) = SignIn::from_env_or_discovered(only_client, Some(&discovered)) else { panic!("oidc") };
        assert_eq!(
            (c.authorization_endpoint.as_str(), c.token_endpoint.as_str(), c.logout_url.as_deref()),
            ("https://idp.example/auth", "https://idp.example/token", Some("https://idp.example/session/end"))
        );
        let with_token = |name: &str| match name {
            "USHER_OIDC_CLIENT_ID" => Some("abc".to_owned()),
            "USHER_OIDC_TOKEN_ENDPOINT" => Some("https://proxy.example/token".to_owned()),
            _ => None,
        };
        let Ok(SignIn::Oidc(c)) = SignIn::from_env_or_discovered(with_token, Some(&discovered)) else { panic!("oidc") };
        assert_eq!(c.token_endpoint, "https://proxy.example/token");
        assert_eq!(SignIn::from_env_or_discovered(only_client, None), Ok(SignIn::Unconfigured));
    }

    #[test]
    fn no_authorization_endpoint_in_the_environment_means_sign_in_is_not_set_up() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(SignIn::from_env(env(&[("USHER_OIDC_CLIENT_ID", "abc")])), Ok(SignIn::Unconfigured));
        assert_eq!(SignIn::from_env(env(&[("USHER_OIDC_AUTHORIZATION_ENDPOINT", "")])), Ok(SignIn::Unconfigured));
        let missing = SignIn::from_env(env(&[("USHER_OIDC_AUTHORIZATION_ENDPOINT", "https://a.example/authorize")]));
        assert!(matches!(missing, Err(WebConfigError { name: "USHER_OIDC_CLIENT_ID", .. })), "{missing:?}");
        let full = SignIn::from_env(env(&[
            ("USHER_OIDC_AUTHORIZATION_ENDPOINT", "https://a.example/authorize"),
            ("USHER_OIDC_TOKEN_ENDPOINT", "https://a.example/token"),
            ("USHER_OIDC_CLIENT_ID", "abc"),
        ]));
        assert!(matches!(full, Ok(SignIn::Oidc(OidcClient { ref scope, logout_url: None, .. })) if scope == DEFAULT_SCOPE), "{full:?}");
    }
}
