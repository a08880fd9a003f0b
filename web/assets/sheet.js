// Reading what people paste or upload for a bulk invite: CSV (RFC 4180, comma, semicolon or
// tab separated), a plain list of addresses, or an XLSX workbook's first sheet (a small ZIP
// reader on DecompressionStream and DOMParser; no library).

/** Parses CSV text into rows of cells. The separator is guessed from the first line. */
export function parseCsv(text) {
  text = text.replace(/^\uFEFF/, "");
  const first = text.split(/\r?\n/, 1)[0] || "";
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const ch of first) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  const sep = Object.entries(counts).sort((a, b) => b[1] - a[1])[0][1] > 0 ? Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0] : ",";
  const rows = [];
  let row = [];
  let cell = "";
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else inQuotes = false;
      } else cell += ch;
    } else if (ch === '"' && cell === "") inQuotes = true;
    else if (ch === sep) { row.push(cell); cell = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.some((c) => c.trim() !== ""));
}

export const COLUMNS = ["email", "role", "first_name", "last_name", "phone", "employee_number", "company", "workspaces", "locale", "expires_in_days", "message"];

/**
 * Turns parsed rows into invitation rows. With a header row naming `email`, columns are read
 * by name (unknown ones are reported); without one, every cell is an address.
 * Returns {rows: [{email, role?, profile, workspaces, locale?, expires_in_days?, message?}], warnings}.
 */
export function rowsFromTable(table) {
  const warnings = [];
  if (!table.length) return { rows: [], warnings };
  const header = table[0].map((c) => c.trim().toLowerCase().replace(/\s+/g, "_"));
  if (!header.includes("email")) {
    const rows = [];
    for (const r of table) for (const c of r) for (const part of c.split(/[\s,;]+/)) if (part.trim()) rows.push({ email: part.trim(), profile: {}, workspaces: [] });
    return { rows, warnings };
  }
  const unknown = header.filter((c) => c && !COLUMNS.includes(c));
  if (unknown.length) warnings.push(unknown);
  const rows = table.slice(1).map((cells) => {
    const get = (name) => {
      const i = header.indexOf(name);
      return i >= 0 && cells[i] !== undefined ? String(cells[i]).trim() : "";
    };
    const row = { email: get("email"), profile: {}, workspaces: [] };
    if (get("role")) row.role = get("role").toLowerCase();
    for (const k of ["first_name", "last_name", "phone", "employee_number", "company"]) if (get(k)) row.profile[k] = get(k);
    if (get("workspaces")) row.workspaces = get("workspaces").split(";").map((s) => s.trim()).filter(Boolean);
    if (get("locale")) row.locale = get("locale");
    if (get("expires_in_days")) row.expires_in_days = /^\d+$/.test(get("expires_in_days")) ? Number(get("expires_in_days")) : get("expires_in_days");
    if (get("message")) row.message = get("message");
    return row;
  });
  return { rows, warnings };
}

// ------------------------------------------------------------------ XLSX
async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function unzip(buffer) {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  let eocd = -1;
  for (let i = buffer.byteLength - 22; i >= Math.max(0, buffer.byteLength - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error("not a zip file");
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const files = new Map();
  const dec = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (view.getUint32(p, true) !== 0x02014b50) throw new Error("bad zip directory");
    const method = view.getUint16(p + 10, true);
    const size = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    files.set(name, { method, size, local });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return async (name) => {
    const f = files.get(name);
    if (!f) return null;
    const start = f.local + 30 + view.getUint16(f.local + 26, true) + view.getUint16(f.local + 28, true);
    const data = bytes.subarray(start, start + f.size);
    const out = f.method === 0 ? data : f.method === 8 ? await inflate(data) : null;
    if (!out) throw new Error("unsupported compression");
    return dec.decode(out);
  };
}

function xml(text) {
  return new DOMParser().parseFromString(text, "application/xml");
}

function colIndex(ref) {
  const letters = (ref.match(/^[A-Z]+/) || ["A"])[0];
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The first sheet of an XLSX workbook as rows of strings. */
export async function parseXlsx(buffer) {
  const read = await unzip(buffer);
  const byTag = (doc, tag) => Array.from(doc.getElementsByTagNameNS("*", tag));
  let sheetPath = "xl/worksheets/sheet1.xml";
  const wb = await read("xl/workbook.xml");
  const rels = await read("xl/_rels/workbook.xml.rels");
  if (wb && rels) {
    const first = byTag(xml(wb), "sheet")[0];
    const rid = first && (first.getAttribute("r:id") || first.getAttributeNS("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id"));
    const rel = byTag(xml(rels), "Relationship").find((r) => r.getAttribute("Id") === rid);
    if (rel) {
      const target = rel.getAttribute("Target");
      sheetPath = target.startsWith("/") ? target.slice(1) : `xl/${target}`;
    }
  }
  const shared = [];
  const ss = await read("xl/sharedStrings.xml");
  if (ss) for (const si of byTag(xml(ss), "si")) shared.push(byTag(si, "t").map((x) => x.textContent).join(""));
  const sheet = await read(sheetPath);
  if (!sheet) throw new Error("no sheet");
  const rows = [];
  for (const r of byTag(xml(sheet), "row")) {
    const row = [];
    for (const c of byTag(r, "c")) {
      const type = c.getAttribute("t");
      const v = byTag(c, "v")[0];
      let value = "";
      if (type === "s") value = shared[Number(v?.textContent)] ?? "";
      else if (type === "inlineStr") value = byTag(c, "t").map((x) => x.textContent).join("");
      else if (type === "b") value = v?.textContent === "1" ? "TRUE" : "FALSE";
      else value = v ? v.textContent : "";
      if (type !== "s" && type !== "inlineStr" && /^-?\d+\.0+$/.test(value)) value = value.replace(/\.0+$/, "");
      const ref = c.getAttribute("r");
      row[ref ? colIndex(ref) : row.length] = value;
    }
    rows.push(Array.from(row, (x) => x ?? ""));
  }
  return rows.filter((r) => r.some((c) => String(c).trim() !== ""));
}
