// Workbooks for the tests, made and read by ExcelJS (pinned): never bytes written by hand.
import ExcelJS from "exceljs";

export async function workbook(rows: (string | number)[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet("People");
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** The first sheet's name and cells, as text. */
export async function readWorkbook(bytes: Uint8Array): Promise<{ sheet: string; rows: string[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const sheet = wb.worksheets[0];
  if (!sheet) throw new Error("the workbook has no sheet");
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    const values = (row.values as unknown[]).slice(1);
    rows.push(values.map((v) => (v === null || v === undefined ? "" : String(v))));
  });
  return { sheet: sheet.name, rows };
}
