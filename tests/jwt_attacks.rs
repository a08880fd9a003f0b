//! THE JWT ATTACK TABLE: forged, altered and malformed bearer tokens against the AWS
//! deployment's verifier (`JwksVerifier`, RS256 and ES256 pinned, keys from a JWKS served
//! locally), through the public `App`. Every attack is `401 unauthenticated` with
//! `WWW-Authenticate: Bearer`; the first rows are the controls (genuine tokens get in), so a
//! broken setup cannot pass for a secure one. All rows run; the failures are listed together.

use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey;
use rand::rngs::OsRng;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use usher_http::{App, HttpConfig, JwksVerifier, RequestContext};
use usher_tests::TestApp;

const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool";
const AUDIENCE: &str = "usher-app-client";
/// A route any signed-in person may call.
const ME: &str = "/v1/me/tenants";
/// A route that needs a verified email.
const MY_INVITATIONS: &str = "/v1/me/invitations";

/// A signing key and the JWK that publishes its public half.
#[derive(Clone)]
struct Signer {
    kid: String,
    alg: Algorithm,
    key: EncodingKey,
    jwk: Value,
    /// The public key as PEM text (what an attacker has), for the algorithm-confusion attack.
    public_pem: String,
}

impl Signer {
    fn es256(kid: &str) -> Self {
        let secret = p256::ecdsa::SigningKey::random(&mut OsRng);
        let der = secret.to_pkcs8_der().expect("pkcs8");
        let point = secret.verifying_key().to_encoded_point(false);
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": B64.encode(point.x().expect("x")), "y": B64.encode(point.y().expect("y")),
        });
        let public_pem = p256::pkcs8::EncodePublicKey::to_public_key_pem(secret.verifying_key(), Default::default()).expect("pem");
        Signer { kid: kid.into(), alg: Algorithm::ES256, key: EncodingKey::from_ec_der(der.as_bytes()), jwk, public_pem }
    }

    /// RSA keys are slow to make without optimisations: two per run (the provider's, an attacker's).
    fn rs256(kid: &str, which: usize) -> Self {
        static KEYS: [OnceLock<rsa::RsaPrivateKey>; 2] = [OnceLock::new(), OnceLock::new()];
        let secret = KEYS[which].get_or_init(|| rsa::RsaPrivateKey::new(&mut OsRng, 2048).expect("rsa key"));
        let der = secret.to_pkcs1_der().expect("pkcs1");
        let jwk = json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": B64.encode(secret.n().to_bytes_be()), "e": B64.encode(secret.e().to_bytes_be()),
        });
        let public_pem = secret.to_public_key().to_public_key_pem(Default::default()).expect("pem");
        Signer { kid: kid.into(), alg: Algorithm::RS256, key: EncodingKey::from_rsa_der(der.as_bytes()), jwk, public_pem }
    }

    fn header(&self) -> Header {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        header
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_with(self.header(), claims)
    }

    fn sign_with(&self, header: Header, claims: &Value) -> String {
        jsonwebtoken::encode(&header, claims, &self.key).expect("sign")
    }
}

/// Serves `{"keys": [...]}` at `/jwks.json` on a free local port; counts the requests.
struct KeyServer {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl KeyServer {
    async fn start(keys: &[&Signer]) -> Self {
        let body = json!({ "keys": keys.iter().map(|s| s.jwk.clone()).collect::<Vec<_>>() }).to_string();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let router = Router::new().route(
            "/jwks.json",
            get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                let body = body.clone();
                async move { ([(http::header::CONTENT_TYPE, "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
        Self { url, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn now() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs()).expect("secs")
}

/// What the identity provider puts in a genuine ID token.
fn claims() -> Value {
    json!({
        "sub": "4f1c2b7e-0000-4000-8000-000000000001",
        "email": "ada@example.com",
        "email_verified": true,
        "name": "Ada Lovelace",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "token_use": "id",
        "iat": now(),
        "exp": now() + 600,
    })
}

fn claims_with(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut c = claims();
    change(c.as_object_mut().expect("object"));
    c
}

/// `header.payload.signature` with the payload swapped for another, the signature kept.
fn with_payload(token: &str, payload: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!("{}.{}.{}", parts[0], B64.encode(payload.to_string()), parts[2])
}

/// An unsigned token: `alg` as given, an empty signature.
fn unsigned(header: &Value, payload: &Value) -> String {
    format!("{}.{}.", B64.encode(header.to_string()), B64.encode(payload.to_string()))
}

/// What a row sends.
enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// The `Authorization` header exactly as given.
    Raw(String),
}

/// One row: what is sent, where, and the answer.
struct Row {
    name: &'static str,
    auth: Auth,
    path: &'static str,
    status: u16,
}

fn attack(name: &'static str, token: String) -> Row {
    Row { name, auth: Auth::Bearer(token), path: ME, status: 401 }
}

#[tokio::test]
async fn every_forged_altered_or_malformed_token_is_401_unauthenticated() {
    let rsa = Signer::rs256("rsa-1", 0);
    let ec = Signer::es256("ec-1");
    let provider = KeyServer::start(&[&rsa, &ec]).await;
    // The attacker's own keys, published on the attacker's own server.
    let evil_rsa = Signer::rs256("evil-rsa", 1);
    let evil_ec = Signer::es256("evil-ec");
    let attacker = KeyServer::start(&[&evil_rsa, &evil_ec]).await;

    let genuine = rsa.sign(&claims());
    let mut oversized = claims();
    oversized["padding"] = json!("x".repeat(9 * 1024));
    let oversized = rsa.sign(&oversized);
    assert!(oversized.len() > 8 * 1024);

    let mut key_confusion = Header::new(Algorithm::HS256);
    key_confusion.kid = Some("rsa-1".into());
    let key_confusion =
        jsonwebtoken::encode(&key_confusion, &claims(), &EncodingKey::from_secret(rsa.public_pem.as_bytes())).expect("hs256");
    let mut ec_key_confusion = Header::new(Algorithm::HS256);
    ec_key_confusion.kid = Some("ec-1".into());
    let ec_key_confusion =
        jsonwebtoken::encode(&ec_key_confusion, &claims(), &EncodingKey::from_secret(ec.public_pem.as_bytes())).expect("hs256");

    let mut jku = evil_rsa.header();
    jku.jku = Some(attacker.url.clone());
    let mut jku_known_kid = evil_rsa.header();
    jku_known_kid.kid = Some("rsa-1".into());
    jku_known_kid.jku = Some(attacker.url.clone());
    let mut x5u = evil_ec.header();
    x5u.x5u = Some(attacker.url.replace("jwks.json", "cert.pem"));
    let mut embedded_jwk = evil_ec.header();
    embedded_jwk.kid = Some("ec-1".into());
    embedded_jwk.jwk = Some(serde_json::from_value(evil_ec.jwk.clone()).expect("jwk"));

    let mut rows = vec![
        // Controls: genuine tokens from the provider get in.
        Row { name: "control: a genuine RS256 ID token", auth: Auth::Bearer(genuine.clone()), path: ME, status: 200 },
        Row { name: "control: a genuine ES256 ID token", auth: Auth::Bearer(ec.sign(&claims())), path: ME, status: 200 },
        Row { name: "control: the scheme is case-insensitive", auth: Auth::Raw(format!("bearer {genuine}")), path: ME, status: 200 },
        // The attacks.
        attack("alg none, no signature", unsigned(&json!({"alg": "none", "typ": "JWT", "kid": "rsa-1"}), &claims())),
        attack("alg None (other spelling), no signature", unsigned(&json!({"alg": "None", "kid": "rsa-1"}), &claims())),
        attack("alg none with the genuine token's signature", {
            let parts: Vec<&str> = genuine.split('.').collect();
            format!("{}.{}.{}", B64.encode(json!({"alg": "none", "kid": "rsa-1"}).to_string()), parts[1], parts[2])
        }),
        attack("RS256 with the signature stripped", {
            let parts: Vec<&str> = genuine.split('.').collect();
            format!("{}.{}.", parts[0], parts[1])
        }),
        attack("HS256 signed with the RSA public key as the secret (key confusion)", key_confusion),
        attack("HS256 signed with the EC public key as the secret (key confusion)", ec_key_confusion),
        attack("wrong kid: RS256 naming the EC key's kid", {
            let mut h = rsa.header();
            h.kid = Some("ec-1".into());
            rsa.sign_with(h, &claims())
        }),
        attack("wrong kid: ES256 naming the RSA key's kid", {
            let mut h = ec.header();
            h.kid = Some("rsa-1".into());
            ec.sign_with(h, &claims())
        }),
        attack("unknown kid", {
            let mut h = rsa.header();
            h.kid = Some("rotated-out-long-ago".into());
            rsa.sign_with(h, &claims())
        }),
        attack("no kid", rsa.sign_with(Header::new(Algorithm::RS256), &claims())),
        attack("another key under a published kid", {
            let mut h = evil_rsa.header();
            h.kid = Some("rsa-1".into());
            evil_rsa.sign_with(h, &claims())
        }),
        attack(
            "expired an hour ago",
            rsa.sign(&claims_with(|c| {
                c.insert("iat".into(), json!(now() - 7200));
                c.insert("exp".into(), json!(now() - 3600));
            })),
        ),
        attack(
            "no exp",
            rsa.sign(&claims_with(|c| {
                c.remove("exp");
            })),
        ),
        attack(
            "nbf an hour in the future",
            rsa.sign(&claims_with(|c| {
                c.insert("nbf".into(), json!(now() + 3600));
            })),
        ),
        attack(
            "wrong iss",
            rsa.sign(&claims_with(|c| {
                c.insert("iss".into(), json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool"));
            })),
        ),
        attack(
            "no iss",
            rsa.sign(&claims_with(|c| {
                c.remove("iss");
            })),
        ),
        attack(
            "wrong aud",
            rsa.sign(&claims_with(|c| {
                c.insert("aud".into(), json!("another-app-client"));
            })),
        ),
        attack(
            "no aud, and not an access token for this client",
            rsa.sign(&claims_with(|c| {
                c.remove("aud");
            })),
        ),
        attack(
            "missing sub",
            rsa.sign(&claims_with(|c| {
                c.remove("sub");
            })),
        ),
        attack(
            "empty sub",
            rsa.sign(&claims_with(|c| {
                c.insert("sub".into(), json!(""));
            })),
        ),
        attack("tampered payload (another email) with the original signature", {
            with_payload(
                &genuine,
                &claims_with(|c| {
                    c.insert("email".into(), json!("owner@acme.test"));
                }),
            )
        }),
        attack("tampered payload (later exp) with the original signature", {
            with_payload(
                &genuine,
                &claims_with(|c| {
                    c.insert("exp".into(), json!(now() + 365 * 86_400));
                }),
            )
        }),
        attack("a token over 8 KB (validly signed)", oversized),
        attack("jku pointing at the attacker's key set, attacker's kid", evil_rsa.sign_with(jku, &claims())),
        attack("jku pointing at the attacker's key set, a published kid", evil_rsa.sign_with(jku_known_kid, &claims())),
        attack("x5u pointing elsewhere, attacker's kid", evil_ec.sign_with(x5u, &claims())),
        attack("the attacker's key embedded as jwk, a published kid", evil_ec.sign_with(embedded_jwk, &claims())),
        attack("not a JWT at all", "not-a-jwt".into()),
        attack("garbage in three parts", "a.b.c".into()),
        Row { name: "empty Bearer", auth: Auth::Raw("Bearer ".into()), path: ME, status: 401 },
        Row { name: "Bearer with only spaces", auth: Auth::Raw("Bearer    ".into()), path: ME, status: 401 },
        Row { name: "the word Bearer alone", auth: Auth::Raw("Bearer".into()), path: ME, status: 401 },
        Row { name: "Bearer twice", auth: Auth::Raw(format!("Bearer Bearer {genuine}")), path: ME, status: 401 },
        Row { name: "two tokens in one header", auth: Auth::Raw(format!("Bearer {genuine} {genuine}")), path: ME, status: 401 },
        Row { name: "Basic instead of Bearer", auth: Auth::Raw(format!("Basic {genuine}")), path: ME, status: 401 },
        Row { name: "the token without a scheme", auth: Auth::Raw(genuine.clone()), path: ME, status: 401 },
    ];
    // email_verified is a claim of a genuine, provider-signed token, not a forgery: auth.rs
    // deliberately reads it as a boolean or the string "true" (some providers send strings).
    // What matters is that nothing but true / "true" counts as verified; a claim of another
    // type does not read as a flag at all, and the token is refused.
    for (name, value, status) in [
        ("email_verified: \"true\" as a string counts as verified (by design, auth.rs Flag)", json!("true"), 200),
        ("email_verified: \"false\" as a string is not verified", json!("false"), 403),
        ("email_verified: \"yes\" is not verified", json!("yes"), 403),
        ("email_verified: 1 (a number) is refused", json!(1), 401),
    ] {
        let token = rsa.sign(&claims_with(|c| {
            c.insert("email_verified".into(), value);
        }));
        rows.push(Row { name, auth: Auth::Bearer(token), path: MY_INVITATIONS, status });
    }

    let verifier = JwksVerifier::new(provider.url.clone(), ISSUER.into(), AUDIENCE.into(), vec![Algorithm::RS256, Algorithm::ES256]);
    let world = TestApp::new();
    let app = App::new(world.deps.clone(), Arc::new(verifier), HttpConfig::default());

    let mut failures = Vec::new();
    for row in &rows {
        let header = match &row.auth {
            Auth::Bearer(t) => format!("Bearer {t}"),
            Auth::Raw(h) => h.clone(),
        };
        let req = Request::builder()
            .method(Method::GET)
            .uri(row.path)
            .header(http::header::AUTHORIZATION, header)
            .body(Bytes::new())
            .expect("request");
        let resp = app.handle(req, RequestContext { request_id: "req-attack".into(), iam_operator: false }).await;
        let status = resp.status();
        let www = resp.headers().get(http::header::WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body: Value = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
        if status.as_u16() != row.status {
            failures.push(format!("{} (GET {}): expected {}, got {} {body}", row.name, row.path, row.status, status.as_u16()));
        } else if status == StatusCode::UNAUTHORIZED && (body["code"] != "unauthenticated" || !www.starts_with("Bearer")) {
            failures.push(format!("{}: a 401 must be `unauthenticated` with WWW-Authenticate: Bearer, got {body} / {www:?}", row.name));
        }
    }
    if attacker.hits() != 0 {
        failures.push(format!("the verifier fetched keys from a URL a token named ({} requests)", attacker.hits()));
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n"));
}
