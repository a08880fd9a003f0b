//! The whole tenant's people as a file (CSV or XLSX).

use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::error::{ErrorCode, FieldError, Unexpected};
use crate::model::{Invitation, InvitationStatus, Member};
use crate::paging;
use crate::ports::{Query, SortKeyRange};
use crate::roles::Permission;
use crate::schema::{self, INVITATION_PREFIX, MEMBER_PREFIX, decode};
use crate::values::{TenantId, Timestamp};

/// The columns, in order (API.md).
pub const COLUMNS: [&str; 12] =
    ["id", "name", "username", "role", "email", "phone", "last_login", "employee_number", "company", "created", "updated", "status"];

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV, UTF-8 with BOM.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// The file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// Content type.
    pub content_type: &'static str,
    /// Suggested file name.
    pub filename: String,
    /// Bytes.
    pub bytes: Vec<u8>,
    /// Rows, header excluded.
    pub rows: usize,
}

/// What exporting can answer besides the file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Unknown format or option.
    #[error("invalid export request")]
    Invalid(Vec<FieldError>),
    /// No such tenant, or the caller is not in it.
    #[error("not found")]
    NotFound,
    /// The caller may not export.
    #[error("you may not export this tenant's members")]
    Forbidden,
    /// Writing the file failed.
    #[error("could not write the file: {0}")]
    Encoding(String),
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(ExportError {
    ExportError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    ExportError::NotFound => ErrorCode::NotFound,
    ExportError::Forbidden => ErrorCode::Forbidden,
    ExportError::Encoding(_) => ErrorCode::Internal,
    ExportError::Unexpected(u) => u.code(),
});

impl From<AccessError> for ExportError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// Parses `format` (default csv) and `include` (`invitations` adds pending invitations).
pub fn parse_options(format: Option<&str>, include: Option<&str>) -> Result<(Format, bool), ExportError> {
    let mut errors = Vec::new();
    let format = match format.map(str::to_ascii_lowercase).as_deref() {
        None | Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(_) => {
            errors.push(FieldError::new("format", "unsupported_format", "format must be csv or xlsx"));
            Format::Csv
        }
    };
    let include_invitations = match include {
        None | Some("") => false,
        Some("invitations") => true,
        Some(_) => {
            errors.push(FieldError::new("include", "unsupported_include", "include may only be 'invitations'"));
            false
        }
    };
    if errors.is_empty() { Ok((format, include_invitations)) } else { Err(ExportError::Invalid(errors)) }
}

fn ts(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

fn member_row(m: &Member) -> [String; 12] {
    [
        m.user_id.to_string(),
        m.profile.display_name().or_else(|| m.username.clone()).unwrap_or_default(),
        m.username.clone().unwrap_or_default(),
        m.role.to_string(),
        m.email.to_string(),
        m.profile.phone.clone().unwrap_or_default(),
        ts(m.last_login_at),
        m.profile.employee_number.clone().unwrap_or_default(),
        m.profile.company.clone().unwrap_or_default(),
        ts(Some(m.created_at)),
        ts(Some(m.updated_at)),
        "active".into(),
    ]
}

fn invitation_row(i: &Invitation) -> [String; 12] {
    [
        i.id.to_string(),
        i.profile.display_name().unwrap_or_default(),
        String::new(),
        i.role.to_string(),
        i.email.to_string(),
        i.profile.phone.clone().unwrap_or_default(),
        String::new(),
        i.profile.employee_number.clone().unwrap_or_default(),
        i.profile.company.clone().unwrap_or_default(),
        ts(Some(i.created_at)),
        ts(Some(i.updated_at())),
        "pending_activation".into(),
    ]
}

/// Exports every member (and, with `include_invitations`, every pending invitation).
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn export(
    deps: &Deps,
    principal: &Principal,
    tenant: &TenantId,
    format: Format,
    include_invitations: bool,
) -> Result<ExportFile, ExportError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::MembersExport) {
        return Err(ExportError::Forbidden);
    }
    let table = deps.table.as_ref();
    let now = deps.now();
    let partition = |prefix: &str| Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(prefix.into()),
        ascending: true,
        limit: 1000,
        after: None,
    };
    let mut rows = paging::read_all(table, partition(MEMBER_PREFIX), |item| {
        let m = decode::<Member>(item).map_err(|source| Unexpected { context: "decoding member", source })?.value;
        Ok(Some(member_row(&m)))
    })
    .await?;
    if include_invitations {
        rows.extend(
            paging::read_all(table, partition(INVITATION_PREFIX), |item| {
                let i = decode::<Invitation>(item).map_err(|source| Unexpected { context: "decoding invitation", source })?.value;
                Ok((i.status_at(now) == InvitationStatus::Pending).then(|| invitation_row(&i)))
            })
            .await?,
        );
    }
    let date = now.to_string().get(..10).unwrap_or_default().to_owned();
    let (bytes, content_type, ext) = match format {
        Format::Csv => (to_csv(&rows)?, "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (to_xlsx(&rows)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    };
    tracing::info!(rows = rows.len(), bytes = bytes.len(), "export written");
    Ok(ExportFile { content_type, filename: format!("members-{tenant}-{date}.{ext}"), bytes, rows: rows.len() })
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading
/// apostrophe, so opening the export can never run anything (OWASP CSV injection).
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() }
}

/// RFC 4180 CSV (CRLF, quoted where needed), UTF-8 with a BOM so spreadsheet apps pick UTF-8.
pub fn to_csv(rows: &[[String; 12]]) -> Result<Vec<u8>, ExportError> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(COLUMNS).map_err(|e| ExportError::Encoding(e.to_string()))?;
        for row in rows {
            w.write_record(row.iter().map(|c| neutralise(c))).map_err(|e| ExportError::Encoding(e.to_string()))?;
        }
        w.flush().map_err(|e| ExportError::Encoding(e.to_string()))?;
    }
    Ok(out)
}

/// A workbook with one sheet, a bold header row, every cell a string (never a formula).
pub fn to_xlsx(rows: &[[String; 12]]) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Encoding(e.to_string());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Members").map_err(err)?;
    let bold = CellFormat::new().set_bold();
    for (col, name) in (0u16..).zip(COLUMNS) {
        sheet.write_string_with_format(0, col, name, &bold).map_err(err)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(row) {
            sheet.write_string(r, col, cell).map_err(err)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    book.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> [String; 12] {
        let mut r: [String; 12] = Default::default();
        for (i, c) in cells.iter().enumerate() {
            r[i] = (*c).to_owned();
        }
        r
    }

    #[test]
    fn csv_starts_with_a_bom_and_the_header_and_uses_crlf() {
        let bytes = to_csv(&[row(&["usr_1", "Ada"])]).unwrap();
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("id,name,username,role,email,phone,last_login,employee_number,company,created,updated,status\r\n"));
        assert!(text.contains("usr_1,Ada,"));
    }

    #[test]
    fn cells_that_look_like_formulas_are_neutralised() {
        let bytes = to_csv(&[row(&["usr_1", "=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "\tx"])]).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "{text}");
        assert!(text.contains(",'+1,'-2,'@SUM(A1),"), "{text}");
        assert!(text.contains("'\tx"));
    }

    #[test]
    fn fields_with_commas_quotes_and_newlines_are_quoted() {
        let bytes = to_csv(&[row(&["usr_1", "Lovelace, Ada \"the first\"\nline2"])]).unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.contains("\"Lovelace, Ada \"\"the first\"\"\nline2\""));
    }

    #[test]
    fn an_xlsx_export_is_a_zip_workbook() {
        let bytes = to_xlsx(&[row(&["usr_1", "Ada"])]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 1000);
    }
}
