//! What a hostile upload costs the process, measured as the operating system sees it: each
//! parse runs in a child process of this test binary (a fresh heap), which reports how far its
//! peak resident size (`VmHWM`) rose during the parse. No timing is asserted.
//!
//! An XLSX stores each distinct string once and lets any number of cells point at it, so a 6 KB
//! workbook can stand for gigabytes of cells; a reader that copies each cell's text pays them.

use rust_xlsxwriter::Workbook;
use usher_domain::usecases::bulk::{self, BulkError};

/// Set in the child: which workbook to parse.
const CHILD: &str = "USHER_HOSTILE_UPLOAD_CHILD";

/// The process's peak resident size so far, in bytes (Linux).
fn peak_rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kb * 1024
}

/// In the child (the test binary run again with `CHILD` naming a workbook): parses it, prints
/// the report and returns true, before the test builds anything that would raise the peak.
fn parsed_as_the_child() -> bool {
    let Ok(path) = std::env::var(CHILD) else { return false };
    let bytes = std::fs::read(&path).expect("the workbook");
    let before = peak_rss();
    let outcome = match bulk::rows_from_xlsx(&bytes) {
        Err(BulkError::Invalid(errors)) => format!("{}: {}", errors[0].code, errors[0].message),
        Err(BulkError::TooManyRows(n)) => format!("too_many_rows: {n}"),
        Err(e) => format!("other: {e}"),
        Ok((rows, _)) => format!("read: {}", rows.len()),
    };
    let grew = peak_rss().saturating_sub(before);
    println!("\nCHILD-REPORT {grew} {outcome}");
    true
}

/// Parses `file` in a child process running `test`; returns the outcome's description and how
/// far the child's peak resident size rose during the parse.
fn in_a_child(test: &str, file: &[u8]) -> (String, usize) {
    let dir = tempfile_dir();
    let path = dir.join(format!("{test}.xlsx"));
    std::fs::write(&path, file).expect("write the workbook");
    let out = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, &path)
        .output()
        .expect("run the child");
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The harness prints the test's name on the same line, before the report.
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("CHILD-REPORT ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("the child reported nothing: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    let (grew, outcome) = line.split_once(' ').expect("report");
    (outcome.to_owned(), grew.parse().expect("bytes"))
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("usher-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const MIB: usize = 1024 * 1024;

/// A workbook whose `email` and `role` columns have `rows` cells that all point at one shared
/// string of `size` bytes. Excel (and rust_xlsxwriter) cap a cell at 32,767 characters, but
/// nothing stops a hand-made file: the workbook is written with a short placeholder, then its
/// shared-strings part is rewritten with the long string.
fn one_string_in_every_cell(size: usize, rows: u32) -> Vec<u8> {
    use std::io::{Read, Write};
    const PLACEHOLDER: &str = "PLACEHOLDER-STRING";
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "email").expect("header");
    sheet.write_string(0, 1, "role").expect("header");
    for r in 1..=rows {
        sheet.write_string(r, 0, PLACEHOLDER).expect("cell");
        sheet.write_string(r, 1, PLACEHOLDER).expect("cell");
    }
    let plain = book.save_to_buffer().expect("workbook");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(plain)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).expect("part");
        let name = part.name().to_owned();
        let mut content = String::new();
        part.read_to_string(&mut content).expect("a text part");
        if name == "xl/sharedStrings.xml" {
            assert!(content.contains(PLACEHOLDER), "{content}");
            content = content.replace(PLACEHOLDER, &"a".repeat(size));
        }
        out.start_file(name, options).expect("part");
        out.write_all(content.as_bytes()).expect("write");
    }
    out.finish().expect("zip").into_inner()
}

#[test]
fn a_workbook_whose_cells_all_point_at_one_4_mib_string_is_refused_within_a_few_mib_of_memory() {
    if parsed_as_the_child() {
        return;
    }
    let file = one_string_in_every_cell(4 * MIB, 120);
    assert!(file.len() < 64 * 1024, "the attack is a small file: {} bytes", file.len());

    let (outcome, grew) = in_a_child("a_workbook_whose_cells_all_point_at_one_4_mib_string_is_refused_within_a_few_mib_of_memory", &file);

    // Refused before the reader loads its string table; copying the string into its 240 cells
    // would take 960 MiB.
    assert!(outcome.starts_with("invalid_xlsx: the workbook holds more than 4 MiB of text"), "{outcome}");
    eprintln!("peak resident size rose {:.1} MiB for a {} byte workbook", grew as f64 / MIB as f64, file.len());
    assert!(grew < 4 * MIB, "the parse took {:.1} MiB", grew as f64 / MIB as f64);
}

#[test]
fn a_cell_longer_than_any_field_is_refused_when_read_without_copying_its_shared_string() {
    if parsed_as_the_child() {
        return;
    }
    let file = one_string_in_every_cell(MIB, 1000);

    let (outcome, grew) = in_a_child("a_cell_longer_than_any_field_is_refused_when_read_without_copying_its_shared_string", &file);

    assert!(outcome.starts_with("invalid_xlsx: the cell at row 2, column 1 holds more than 16 KiB"), "{outcome}");
    // The 1 MiB table, once (2,000 copies would be 2 GiB).
    eprintln!("peak resident size rose {:.1} MiB", grew as f64 / MIB as f64);
    assert!(grew < 8 * MIB, "the parse took {:.1} MiB", grew as f64 / MIB as f64);
}

#[test]
fn cells_each_under_the_cell_limit_stop_the_read_once_their_total_passes_the_upload_budget() {
    if parsed_as_the_child() {
        return;
    }
    // 15 KiB in two read columns of 1000 rows: 30 MiB of cells from one shared string.
    let file = one_string_in_every_cell(15 * 1024, 1000);

    let (outcome, grew) = in_a_child("cells_each_under_the_cell_limit_stop_the_read_once_their_total_passes_the_upload_budget", &file);

    assert!(outcome.starts_with("invalid_xlsx: the sheet's cells hold more than 4 MiB of text"), "{outcome}");
    eprintln!("peak resident size rose {:.1} MiB", grew as f64 / MIB as f64);
    assert!(grew < 12 * MIB, "the parse took {:.1} MiB", grew as f64 / MIB as f64);
}

#[test]
fn rows_past_the_limit_are_counted_not_kept() {
    if parsed_as_the_child() {
        return;
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "email").expect("header");
    for r in 1..=5000u32 {
        sheet.write_string(r, 0, format!("p{r}@example.com")).expect("cell");
    }
    let file = book.save_to_buffer().expect("workbook");

    let (outcome, _) = in_a_child("rows_past_the_limit_are_counted_not_kept", &file);

    assert_eq!(outcome, "too_many_rows: 5000");
}
