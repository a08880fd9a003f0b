//! A spreadsheet (CSV or XLSX) read row by row under budgets, for uploads too large to hold as
//! rows: the directory's employee list (50,000 rows). Each row is read when it is asked for, so
//! memory stays flat whatever the row count; the budgets end the read at once, before a hostile
//! file costs what it claims.
//!
//! CSV is read in place. XLSX is read by calamine's cell reader on its own thread (the reader
//! borrows the workbook, which a pull iterator could not own), handing rows over a small bounded
//! channel: the parser runs at most a few hundred rows ahead of the caller.

use std::io::Cursor;
use std::sync::mpsc;

/// What one upload may cost.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Rows under the header.
    pub max_rows: usize,
    /// Bytes of one cell in a column the caller reads.
    pub max_cell_bytes: usize,
    /// An XLSX's parts, uncompressed, in all.
    pub max_expanded_bytes: u64,
    /// An XLSX's shared-string table, uncompressed (the reader holds it whole).
    pub max_shared_strings_bytes: u64,
}

/// Why a sheet cannot be read; `code` is the upload's (`invalid_csv`, `invalid_xlsx`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SheetError {
    /// `invalid_csv` or `invalid_xlsx`.
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

/// The code of the error a sheet past its `max_rows` ends in (whatever its format).
pub const TOO_MANY_ROWS: &str = "too_many_rows";

/// A row: its cells, one per header (`None`: empty).
pub type Row = Vec<Option<String>>;

/// A sheet being read: its header row (trimmed, lower case) and its rows, each read on demand.
pub struct Sheet {
    /// The header row.
    pub headers: Vec<String>,
    rows: Box<dyn Iterator<Item = Result<Row, SheetError>> + Send>,
}

impl Sheet {
    /// The column of a header, if the sheet has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

impl Iterator for Sheet {
    type Item = Result<Row, SheetError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

fn normalise(headers: impl IntoIterator<Item = String>) -> Vec<String> {
    headers.into_iter().map(|h| h.trim().to_ascii_lowercase()).collect()
}

/// A CSV (UTF-8, a header row, `,` separated; a spreadsheet's BOM is fine). A blank line is
/// skipped; more than `max_rows` rows or a cell over `max_cell_bytes` is an error when reached.
pub fn csv<B: AsRef<[u8]> + Send + 'static>(bytes: B, budget: Budget) -> Result<Sheet, SheetError> {
    let bad = |message: String| SheetError { code: "invalid_csv", message };
    let bom = bytes.as_ref().starts_with(b"\xEF\xBB\xBF");
    let mut cursor = Cursor::new(bytes);
    if bom {
        cursor.set_position(3);
    }
    let mut reader = ::csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(::csv::Trim::All).from_reader(cursor);
    let headers = normalise(reader.headers().map_err(|e| bad(format!("the header row cannot be read: {e}")))?.iter().map(str::to_owned));
    let width = headers.len();
    let mut seen = 0usize;
    let rows = reader.into_records().filter_map(move |record| {
        let record = match record {
            Ok(r) => r,
            Err(e) => return Some(Err(bad(format!("a row cannot be read: {e}")))),
        };
        if record.iter().all(str::is_empty) {
            return None;
        }
        seen += 1;
        if seen > budget.max_rows {
            return Some(Err(SheetError { code: TOO_MANY_ROWS, message: format!("the file has more than {} rows", budget.max_rows) }));
        }
        let mut row: Row = Vec::with_capacity(width);
        for i in 0..width {
            let cell = record.get(i).filter(|c| !c.is_empty());
            if cell.is_some_and(|c| c.len() > budget.max_cell_bytes) {
                return Some(Err(bad(format!("row {seen}, column {} holds more than {} bytes", i + 1, budget.max_cell_bytes))));
            }
            row.push(cell.map(str::to_owned));
        }
        Some(Ok(row))
    });
    Ok(Sheet { headers, rows: Box::new(rows) })
}

enum Message {
    Headers(Vec<String>),
    Row(Row),
    Failed(SheetError),
}

/// An XLSX's first sheet: the first row with a value is the header row, the rows under it the
/// records (a row with no value is skipped). Cells read as a CSV would have them (a number
/// typed as a number has no `.0`, a date is `YYYY-MM-DD`). The workbook's expansion is measured
/// before it is opened; cells in columns without a header are never copied.
pub fn xlsx<B: AsRef<[u8]> + Send + Sync + 'static>(bytes: B, budget: Budget) -> Result<Sheet, SheetError> {
    let bad = |message: String| SheetError { code: "invalid_xlsx", message };
    crate::usecases::bulk::expanded_size_within(bytes.as_ref(), budget.max_expanded_bytes, budget.max_shared_strings_bytes).map_err(bad)?;
    let (tx, rx) = mpsc::sync_channel::<Message>(256);
    std::thread::Builder::new()
        .name("xlsx-reader".into())
        .spawn(move || read_xlsx(bytes.as_ref(), budget, &tx))
        .map_err(|e| bad(format!("the workbook could not be read: {e}")))?;
    let headers = match rx.recv() {
        Ok(Message::Headers(h)) => normalise(h),
        Ok(Message::Failed(e)) => return Err(e),
        Ok(Message::Row(_)) | Err(_) => Vec::new(),
    };
    let rows = rx.into_iter().map(move |m| match m {
        Message::Row(r) => Ok(r),
        Message::Failed(e) => Err(e),
        Message::Headers(_) => Err(bad("the workbook could not be read".into())),
    });
    Ok(Sheet { headers, rows: Box::new(rows) })
}

/// The reader thread: sends the headers, then each row; stops when the caller stops listening.
fn read_xlsx(bytes: &[u8], budget: Budget, tx: &mpsc::SyncSender<Message>) {
    use calamine::{Data, Reader, Xlsx};
    let bad = |message: String| Message::Failed(SheetError { code: "invalid_xlsx", message });
    let mut workbook: Xlsx<_> = match calamine::open_workbook_from_rs(Cursor::new(bytes)) {
        Ok(w) => w,
        Err(e) => return drop(tx.send(bad(format!("the body is not a readable XLSX workbook: {e}")))),
    };
    let Some(first) = workbook.sheet_names().into_iter().next() else {
        return drop(tx.send(bad("the workbook has no sheet".into())));
    };
    let mut cells = match workbook.worksheet_cells_reader(&first) {
        Ok(c) => c,
        Err(e) => return drop(tx.send(bad(format!("the first sheet cannot be read: {e}")))),
    };
    // Header columns, and the row being assembled (its sheet row, its cells by header index).
    let mut columns: Option<Vec<u32>> = None;
    let mut header_cells: Vec<(u32, String)> = Vec::new();
    let mut current: Option<(u32, Row)> = None;
    let mut header_row: Option<u32> = None;
    let mut rows = 0usize;
    let flush = |current: &mut Option<(u32, Row)>, rows: &mut usize| -> Result<(), Message> {
        if let Some((_, row)) = current.take()
            && row.iter().any(Option::is_some)
        {
            *rows += 1;
            if *rows > budget.max_rows {
                return Err(Message::Failed(SheetError {
                    code: TOO_MANY_ROWS,
                    message: format!("the file has more than {} rows", budget.max_rows),
                }));
            }
            tx.send(Message::Row(row)).map_err(|_| Message::Failed(SheetError { code: "invalid_xlsx", message: String::new() }))?;
        }
        Ok(())
    };
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return drop(tx.send(bad(format!("the first sheet cannot be read: {e}")))),
        };
        let (row, column) = cell.get_position();
        let value = cell.get_value();
        if crate::usecases::bulk::cell_is_blank(value) {
            continue;
        }
        let len = crate::usecases::bulk::cell_text_len(value);
        if columns.is_none() {
            // Still in (or just past) the header row.
            if header_row.is_some_and(|h| h != row) {
                let cols: Vec<u32> = header_cells.iter().map(|(c, _)| *c).collect();
                let names = header_cells.drain(..).map(|(_, n)| n).collect();
                if tx.send(Message::Headers(names)).is_err() {
                    return;
                }
                columns = Some(cols);
            } else {
                header_row = Some(row);
                if len > budget.max_cell_bytes {
                    return drop(tx.send(bad("a header cell is too long".into())));
                }
                if let Some(text) = crate::usecases::bulk::cell_text(&Data::from(value.clone())) {
                    header_cells.push((column, text));
                }
                continue;
            }
        }
        let Some(cols) = &columns else { continue };
        let Some(index) = cols.iter().position(|c| *c == column) else { continue };
        if current.as_ref().is_none_or(|(r, _)| *r != row) {
            if let Err(m) = flush(&mut current, &mut rows) {
                return drop(tx.send(m));
            }
            current = Some((row, vec![None; cols.len()]));
        }
        if len > budget.max_cell_bytes {
            return drop(tx.send(bad(format!(
                "the cell at row {}, column {} holds more than {} bytes",
                row + 1,
                column + 1,
                budget.max_cell_bytes
            ))));
        }
        if let Some((_, cells)) = current.as_mut() {
            cells[index] = crate::usecases::bulk::cell_text(&Data::from(value.clone()));
        }
    }
    if columns.is_none() {
        let _ = tx.send(Message::Headers(header_cells.into_iter().map(|(_, n)| n).collect()));
        return;
    }
    if let Err(m) = flush(&mut current, &mut rows) {
        let _ = tx.send(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Budget = Budget { max_rows: 3, max_cell_bytes: 20, max_expanded_bytes: 1 << 20, max_shared_strings_bytes: 1 << 20 };

    fn all(sheet: Sheet) -> Result<Vec<Row>, SheetError> {
        sheet.collect()
    }

    #[test]
    fn a_csv_is_read_row_by_row_with_its_cells_under_their_headers() {
        let sheet = csv(b"\xEF\xBB\xBFEmail , Name\na@x.test,Ada\n\n,Bob\n".to_vec(), BUDGET).unwrap();
        assert_eq!(sheet.headers, ["email", "name"]);
        assert_eq!(sheet.column("name"), Some(1));
        assert_eq!(all(sheet).unwrap(), vec![vec![Some("a@x.test".into()), Some("Ada".into())], vec![None, Some("Bob".into())]]);
    }

    #[test]
    fn a_csv_past_its_row_budget_or_with_a_long_cell_ends_in_an_error() {
        let rows = all(csv(b"a\n1\n2\n3\n4\n".to_vec(), BUDGET).unwrap()).unwrap_err();
        assert_eq!(rows.code, TOO_MANY_ROWS);
        assert!(rows.message.contains("more than 3 rows"), "{rows}");
        let long = all(csv(format!("a\n{}\n", "x".repeat(21)).into_bytes(), BUDGET).unwrap()).unwrap_err();
        assert!(long.message.contains("more than 20 bytes"), "{long}");
    }

    fn workbook(rows: &[&[&str]]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r as u32 + 2, c as u16 + 1, *v).unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn an_xlsx_is_read_from_its_first_row_with_a_value_and_its_columns_under_headers() {
        let sheet = xlsx(workbook(&[&["Email", "Title"], &["a@x.test", ""], &["", "CTO"]]), BUDGET).unwrap();
        assert_eq!(sheet.headers, ["email", "title"]);
        assert_eq!(all(sheet).unwrap(), vec![vec![Some("a@x.test".into()), None], vec![None, Some("CTO".into())]]);
    }

    #[test]
    fn an_xlsx_past_its_row_budget_ends_in_an_error_and_an_empty_one_has_no_headers() {
        let err = all(xlsx(workbook(&[&["a"], &["1"], &["2"], &["3"], &["4"]]), BUDGET).unwrap()).unwrap_err();
        assert_eq!(err.code, TOO_MANY_ROWS);
        assert!(err.message.contains("more than 3 rows"), "{err}");
        let empty = xlsx(workbook(&[]), BUDGET).unwrap();
        assert!(empty.headers.is_empty());
        assert!(xlsx(b"not a zip".to_vec(), BUDGET).is_err());
    }
}
