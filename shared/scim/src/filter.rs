//! SCIM filters (RFC 7644 §3.4.2.2) and attribute paths, parsed once and evaluated against a
//! resource's JSON. `not` binds tighter than `and`, which binds tighter than `or`; attribute
//! names and string comparisons ignore case (every attribute Usher declares is caseExact false,
//! but `id`, which is compared exactly).

use serde_json::Value;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attr op value`.
    Compare(AttrPath, Op, Value),
    /// `attr pr`.
    Present(AttrPath),
    /// `a and b`.
    And(Box<Filter>, Box<Filter>),
    /// `a or b`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (a)`.
    Not(Box<Filter>),
    /// `attr[filter]`: some value of the multi-valued `attr` matches `filter`.
    ValuePath(AttrPath, Box<Filter>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// equal
    Eq,
    /// not equal
    Ne,
    /// contains
    Co,
    /// starts with
    Sw,
    /// ends with
    Ew,
    /// greater than
    Gt,
    /// greater or equal
    Ge,
    /// less than
    Lt,
    /// less or equal
    Le,
}

/// `[urn:]attr[.sub]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN, when written out (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
    pub urn: Option<String>,
    /// The attribute.
    pub attr: String,
    /// Its sub-attribute.
    pub sub: Option<String>,
}

impl AttrPath {
    /// Parses `[urn:]attr[.sub]` (a URN's own dots, as in `2.0`, are not sub-attributes).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (urn, rest) = if raw.to_ascii_lowercase().starts_with("urn:") {
            match raw.rfind(':') {
                Some(i) => (Some(raw[..i].to_owned()), &raw[i + 1..]),
                None => (None, raw),
            }
        } else {
            (None, raw)
        };
        let (attr, sub) = match rest.split_once('.') {
            Some((a, s)) => (a, Some(s)),
            None => (rest, None),
        };
        let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
        if !valid(attr) || sub.is_some_and(|s| !valid(s)) {
            return Err(format!("'{raw}' is not an attribute path"));
        }
        Ok(Self { urn, attr: attr.to_owned(), sub: sub.map(str::to_owned) })
    }
}

/// Looks up a key ignoring case.
pub fn get_ci<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// The values an attribute path names in a resource (several for a multi-valued attribute).
pub fn values_at<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let Some(obj) = resource.as_object() else { return Vec::new() };
    // An extension's attributes live in the extension's own object; a core URN is the resource.
    let base = match &path.urn {
        Some(urn) if !urn.to_ascii_lowercase().contains(":core:") => match get_ci(obj, urn).and_then(Value::as_object) {
            Some(ext) => ext,
            None => return Vec::new(),
        },
        _ => obj,
    };
    let Some(v) = get_ci(base, &path.attr) else { return Vec::new() };
    let tops: Vec<&Value> = match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    match &path.sub {
        None => tops,
        Some(sub) => tops.into_iter().filter_map(|t| t.as_object().and_then(|o| get_ci(o, sub))).collect(),
    }
}

impl Filter {
    /// Parses a filter.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let tokens = tokenize(raw)?;
        let mut p = Parser { tokens, at: 0 };
        let f = p.or()?;
        if p.at != p.tokens.len() {
            return Err(format!("unexpected '{}' in the filter", p.tokens[p.at].text()));
        }
        Ok(f)
    }

    /// Whether the resource matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(a) => !a.matches(resource),
            Filter::Present(path) => values_at(resource, path).iter().any(|v| !is_empty(v)),
            Filter::Compare(path, op, want) => {
                let exact = path.attr.eq_ignore_ascii_case("id") && path.sub.is_none();
                let found = values_at(resource, path);
                if *op == Op::Ne {
                    return !found.iter().any(|v| compare(v, Op::Eq, want, exact));
                }
                found.iter().any(|v| compare(v, *op, want, exact))
            }
            Filter::ValuePath(path, inner) => values_at(resource, path).iter().any(|v| inner.matches(v)),
        }
    }

    /// The value of a top-level `attr eq "value"` filter on `attr`, if that is all it is (the
    /// lookups identity providers make before creating: answered by one read).
    pub fn equality_on(&self, attr: &str) -> Option<&str> {
        match self {
            Filter::Compare(p, Op::Eq, Value::String(s)) if p.sub.is_none() && p.attr.eq_ignore_ascii_case(attr) => Some(s),
            _ => None,
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn compare(have: &Value, op: Op, want: &Value, exact: bool) -> bool {
    match (have, want) {
        (Value::String(h), Value::String(w)) => {
            let (h, w) = if exact { (h.clone(), w.clone()) } else { (h.to_lowercase(), w.to_lowercase()) };
            match op {
                Op::Eq => h == w,
                Op::Ne => h != w,
                Op::Co => h.contains(&w),
                Op::Sw => h.starts_with(&w),
                Op::Ew => h.ends_with(&w),
                Op::Gt => h > w,
                Op::Ge => h >= w,
                Op::Lt => h < w,
                Op::Le => h <= w,
            }
        }
        (Value::Number(h), Value::Number(w)) => {
            let (h, w) = (h.as_f64().unwrap_or(0.0), w.as_f64().unwrap_or(0.0));
            match op {
                Op::Eq => (h - w).abs() < f64::EPSILON,
                Op::Ne => (h - w).abs() >= f64::EPSILON,
                Op::Gt => h > w,
                Op::Ge => h >= w,
                Op::Lt => h < w,
                Op::Le => h <= w,
                Op::Co | Op::Sw | Op::Ew => false,
            }
        }
        (Value::Bool(h), Value::Bool(w)) => match op {
            Op::Eq => h == w,
            Op::Ne => h != w,
            _ => false,
        },
        (Value::Null, Value::Null) => op == Op::Eq,
        _ => op == Op::Ne,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Lit(Value),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Word(w) => w.clone(),
            Token::Str(s) => format!("\"{s}\""),
            Token::Lit(v) => v.to_string(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
            Token::OpenBracket => "[".into(),
            Token::CloseBracket => "]".into(),
        }
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self, Token::Word(x) if x.eq_ignore_ascii_case(w))
    }
}

fn tokenize(raw: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '[' => {
                out.push(Token::OpenBracket);
                i += 1;
            }
            ']' => {
                out.push(Token::CloseBracket);
                i += 1;
            }
            '"' => {
                // A JSON string: find its end, honouring escapes, and let JSON decode it.
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err("a string in the filter is not closed".into());
                }
                let literal: String = chars[start..=i].iter().collect();
                let s: String = serde_json::from_str(&literal).map_err(|_| format!("{literal} is not a valid string"))?;
                out.push(Token::Str(s));
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && !matches!(chars[i], ' ' | '\t' | '\n' | '\r' | '(' | ')' | '[' | ']' | '"') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let lower = word.to_ascii_lowercase();
                let token = match lower.as_str() {
                    "true" => Token::Lit(Value::Bool(true)),
                    "false" => Token::Lit(Value::Bool(false)),
                    "null" => Token::Lit(Value::Null),
                    _ if word.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
                        Token::Lit(serde_json::from_str::<Value>(&word).map_err(|_| format!("'{word}' is not a number"))?)
                    }
                    _ => Token::Word(word),
                };
                out.push(token);
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek().is_some_and(|t| t.is_word("or")) {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.peek().is_some_and(|t| t.is_word("and")) {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        match self.next() {
            Some(Token::Open) => {
                let f = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(f),
                    _ => Err("a '(' in the filter is not closed".into()),
                }
            }
            Some(t) if t.is_word("not") => match self.next() {
                Some(Token::Open) => {
                    let f = self.or()?;
                    match self.next() {
                        Some(Token::Close) => Ok(Filter::Not(Box::new(f))),
                        _ => Err("a 'not (' in the filter is not closed".into()),
                    }
                }
                _ => Err("'not' must be followed by '('".into()),
            },
            Some(Token::Word(w)) => {
                let path = AttrPath::parse(&w)?;
                if self.peek() == Some(&Token::OpenBracket) {
                    self.at += 1;
                    let inner = self.or()?;
                    if self.next() != Some(Token::CloseBracket) {
                        return Err("a '[' in the filter is not closed".into());
                    }
                    // `emails[type eq "work"].value eq "x"` (as identity providers send it):
                    // some value matching the bracket whose sub-attribute compares.
                    if let Some(Token::Word(sub)) = self.peek().cloned()
                        && let Some(sub) = sub.strip_prefix('.')
                    {
                        self.at += 1;
                        let sub_filter = self.comparison(AttrPath::parse(sub)?, &w)?;
                        return Ok(Filter::ValuePath(path, Box::new(Filter::And(Box::new(inner), Box::new(sub_filter)))));
                    }
                    return Ok(Filter::ValuePath(path, Box::new(inner)));
                }
                self.comparison(path, &w)
            }
            Some(other) => Err(format!("unexpected '{}' in the filter", other.text())),
            None => Err("the filter ends too early".into()),
        }
    }

    /// `op value` (or `pr`) after an attribute path.
    fn comparison(&mut self, path: AttrPath, w: &str) -> Result<Filter, String> {
        let op = match self.next() {
            Some(Token::Word(op)) => op.to_ascii_lowercase(),
            Some(other) => return Err(format!("expected an operator after '{w}', found '{}'", other.text())),
            None => return Err(format!("expected an operator after '{w}'")),
        };
        let op = match op.as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(format!("'{other}' is not a filter operator")),
        };
        let value = match self.next() {
            Some(Token::Str(s)) => Value::String(s),
            Some(Token::Lit(v)) => v,
            _ => return Err(format!("expected a value after '{w}'")),
        };
        Ok(Filter::Compare(path, op, value))
    }
}

/// A PATCH path: an attribute path, or a value path with an optional sub-attribute
/// (`emails[type eq "work"].value`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute (with its sub-attribute when there is no value filter).
    pub attr: AttrPath,
    /// The value filter.
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter.
    pub sub: Option<String>,
}

impl PatchPath {
    /// Parses a PATCH `path`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let Some(open) = raw.find('[') else { return Ok(Self { attr: AttrPath::parse(raw)?, filter: None, sub: None }) };
        let close = raw.rfind(']').ok_or_else(|| format!("'{raw}' has a '[' that is not closed"))?;
        let attr = AttrPath::parse(&raw[..open])?;
        let filter = Filter::parse(&raw[open + 1..close])?;
        let rest = &raw[close + 1..];
        let sub = match rest.strip_prefix('.') {
            Some(s) if !s.is_empty() => Some(s.to_owned()),
            None if rest.is_empty() => None,
            _ => return Err(format!("'{raw}' is not a valid path")),
        };
        Ok(Self { attr, filter: Some(filter), sub })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "id": "dp_1", "userName": "Ada@Example.com", "active": true, "externalId": "e-1",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}, {"value": "ada@home.example", "type": "home"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Engines"}
        })
    }

    fn m(f: &str) -> bool {
        Filter::parse(f).unwrap().matches(&user())
    }

    #[test]
    fn the_lookups_identity_providers_make_match_ignoring_case() {
        assert!(m(r#"userName eq "ada@example.com""#));
        assert!(m(r#"USERNAME Eq "ADA@EXAMPLE.COM""#));
        assert!(m(r#"externalId eq "e-1""#));
        assert!(m(r#"emails[type eq "work"].value eq "ada@example.com""#));
        assert!(!m(r#"emails[type eq "home"].value eq "ada@example.com""#));
        assert!(m(r#"emails[type eq "work" and value eq "ada@example.com"]"#));
        assert!(!m(r#"emails[type eq "home" and value eq "ada@example.com"]"#));
    }

    #[test]
    fn logic_binds_not_then_and_then_or() {
        assert!(m(r#"userName eq "x" or active eq true and name.givenName sw "A""#));
        assert!(!m(r#"(userName eq "x" or active eq true) and name.givenName sw "B""#));
        assert!(m(r#"not (userName eq "x")"#));
        assert!(m(r#"title pr or name.familyName co "love""#));
        assert!(!m("title pr"));
    }

    #[test]
    fn extension_attributes_are_found_by_their_urn() {
        assert!(m(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "engines""#));
        assert!(m(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ada""#));
    }

    #[test]
    fn ids_compare_exactly() {
        assert!(m(r#"id eq "dp_1""#));
        assert!(!m(r#"id eq "DP_1""#));
    }

    #[test]
    fn malformed_filters_say_what_is_wrong() {
        for bad in
            ["userName", "userName eq", r#"userName zz "a""#, r#"(userName eq "a""#, r#"userName eq "a"#, "and", "emails[type eq \"w\""]
        {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn patch_paths_carry_a_value_filter_and_a_sub_attribute() {
        let p = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(p.attr.attr, "emails");
        assert_eq!(p.sub.as_deref(), Some("value"));
        assert!(p.filter.is_some());
        let q = PatchPath::parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber").unwrap();
        assert_eq!(q.attr.attr, "employeeNumber");
        assert!(q.attr.urn.is_some());
        assert_eq!(PatchPath::parse("name.givenName").unwrap().attr.sub.as_deref(), Some("givenName"));
    }
}
