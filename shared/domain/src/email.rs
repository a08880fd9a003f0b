//! Email templates (in `templates/`, one file per kind and language) and their rendering.
//!
//! Every interpolated value is HTML-escaped in the HTML part; the subject is stripped of CR, LF
//! and other control characters, so no value can inject a header or markup.

use crate::ports::OutgoingEmail;
use crate::values::{Email, Locale};

/// Which message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// "X invited you to join T": to the invitee, with the link.
    Invitation,
    /// "Y asks for a new invitation": to the inviter.
    RenewalRequest,
    /// "Reminder: X invited you": to the invitee, about 48 h before the link expires, with a new link.
    Reminder,
    /// "Your address is being changed": to a member's old address.
    EmailChangeRequested,
    /// "Confirm your new address": to the new address, with the link.
    EmailChangeConfirm,
}

fn source(template: Template, locale: Locale) -> &'static str {
    match (template, locale) {
        (Template::Invitation, Locale::En) => include_str!("../templates/invitation.en.txt"),
        (Template::Invitation, Locale::Fr) => include_str!("../templates/invitation.fr.txt"),
        (Template::Invitation, Locale::De) => include_str!("../templates/invitation.de.txt"),
        (Template::RenewalRequest, Locale::En) => include_str!("../templates/renewal.en.txt"),
        (Template::RenewalRequest, Locale::Fr) => include_str!("../templates/renewal.fr.txt"),
        (Template::RenewalRequest, Locale::De) => include_str!("../templates/renewal.de.txt"),
        (Template::Reminder, Locale::En) => include_str!("../templates/reminder.en.txt"),
        (Template::Reminder, Locale::Fr) => include_str!("../templates/reminder.fr.txt"),
        (Template::Reminder, Locale::De) => include_str!("../templates/reminder.de.txt"),
        (Template::EmailChangeRequested, Locale::En) => include_str!("../templates/email_change_requested.en.txt"),
        (Template::EmailChangeRequested, Locale::Fr) => include_str!("../templates/email_change_requested.fr.txt"),
        (Template::EmailChangeRequested, Locale::De) => include_str!("../templates/email_change_requested.de.txt"),
        (Template::EmailChangeConfirm, Locale::En) => include_str!("../templates/email_change_confirm.en.txt"),
        (Template::EmailChangeConfirm, Locale::Fr) => include_str!("../templates/email_change_confirm.fr.txt"),
        (Template::EmailChangeConfirm, Locale::De) => include_str!("../templates/email_change_confirm.de.txt"),
    }
}

/// Renders a template for one recipient. `vars` are `{{name}}` values; a `[[name]]…[[/name]]`
/// section is kept only when `name` has a non-empty value.
pub fn render(template: Template, locale: Locale, to: &Email, vars: &[(&str, Option<&str>)]) -> OutgoingEmail {
    let src = source(template, locale);
    let (head, rest) = src.split_once("\n=== text\n").unwrap_or((src, ""));
    let (text, html) = rest.split_once("\n=== html\n").unwrap_or((rest, ""));
    let subject_src = head.trim().strip_prefix("subject:").unwrap_or(head).trim();
    let subject: String = fill(subject_src, vars, |s| s.to_owned()).chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    OutgoingEmail {
        to: to.clone(),
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        text: fill(text, vars, |s| s.to_owned()),
        html: fill(html, vars, escape_html),
        tags: Vec::new(),
    }
}

fn fill(src: &str, vars: &[(&str, Option<&str>)], escape: impl Fn(&str) -> String) -> String {
    let value = |name: &str| vars.iter().find(|(n, _)| *n == name).and_then(|(_, v)| *v).filter(|v| !v.is_empty());
    // Conditional sections first.
    let mut out = src.to_owned();
    while let Some(start) = out.find("[[") {
        let Some(end_name) = out[start..].find("]]").map(|i| start + i) else { break };
        let name = out[start + 2..end_name].to_owned();
        let close = format!("[[/{name}]]");
        let Some(close_at) = out[end_name..].find(&close).map(|i| end_name + i) else { break };
        let inner = out[end_name + 2..close_at].to_owned();
        let keep = if value(&name).is_some() { inner } else { String::new() };
        out.replace_range(start..close_at + close.len(), &keep);
    }
    // Then values, in one pass so a value containing "{{x}}" is never expanded again.
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(open) = rest.find("{{") {
        result.push_str(&rest[..open]);
        match rest[open..].find("}}") {
            Some(close) => {
                let name = &rest[open + 2..open + close];
                result.push_str(&escape(value(name).unwrap_or_default()));
                rest = &rest[open + close + 2..];
            }
            None => {
                result.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    result.push_str(rest);
    result
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> Email {
        Email::parse("ada@example.com").unwrap()
    }

    fn vars<'a>(tenant: &'a str, message: Option<&'a str>) -> Vec<(&'static str, Option<&'a str>)> {
        vec![
            ("inviter", Some("Grace")),
            ("tenant", Some(tenant)),
            ("role", Some("admin")),
            ("link", Some("https://app.example/accept#token=abc")),
            ("expires_at", Some("2026-12-01T00:00:00Z")),
            ("message", message),
        ]
    }

    #[test]
    fn every_template_renders_in_every_language_with_the_link_in_both_parts() {
        for locale in [Locale::En, Locale::Fr, Locale::De] {
            let m = render(Template::Invitation, locale, &ada(), &vars("Acme", None));
            assert!(m.subject.contains("Acme") && m.subject.contains("Grace"), "{locale:?}: {}", m.subject);
            assert!(m.text.contains("https://app.example/accept#token=abc"));
            assert!(m.html.contains("https://app.example/accept#token=abc"));
            assert!(!m.html.contains("{{") && !m.text.contains("[["));
            let r = render(Template::RenewalRequest, locale, &ada(), &[("invitee", Some("a***@example.com")), ("tenant", Some("Acme"))]);
            assert!(r.subject.contains("Acme") && !r.html.contains("{{"));
        }
    }

    #[test]
    fn values_are_html_escaped_in_the_html_part_only() {
        let m = render(Template::Invitation, Locale::En, &ada(), &vars("<script>alert(1)</script>", Some("Tom & \"Jerry\"")));
        assert!(m.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!m.html.contains("<script>"));
        assert!(m.html.contains("Tom &amp; &quot;Jerry&quot;"));
        assert!(m.text.contains("Tom & \"Jerry\""));
    }

    #[test]
    fn a_subject_never_carries_a_line_break() {
        let m = render(Template::Invitation, Locale::En, &ada(), &vars("Acme\r\nBcc: victim@example.com", None));
        assert!(!m.subject.contains('\r') && !m.subject.contains('\n'));
    }

    #[test]
    fn the_message_section_appears_only_when_there_is_a_message() {
        let with = render(Template::Invitation, Locale::En, &ada(), &vars("Acme", Some("Welcome aboard")));
        let without = render(Template::Invitation, Locale::En, &ada(), &vars("Acme", None));
        assert!(with.text.contains("Welcome aboard") && with.html.contains("<blockquote"));
        assert!(!without.text.contains("Their message") && !without.html.contains("<blockquote"));
    }

    #[test]
    fn a_value_that_looks_like_a_placeholder_is_not_expanded() {
        let m = render(Template::Invitation, Locale::En, &ada(), &vars("{{link}}", None));
        assert!(m.subject.contains("{{link}}"));
    }
}
