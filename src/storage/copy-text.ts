// Rows in the text format of COPY … FROM STDIN (https://www.postgresql.org/docs/15/sql-copy.html):
// one line per row, fields separated by tabs, `\N` for NULL, and in a value a backslash, newline,
// carriage return or tab written as a backslash sequence. Every other character goes as it is, in
// UTF-8 (pg sets client_encoding UTF8), so a value arrives exactly as the event held it.
//
// NUL has no form in COPY text (nor in Postgres text): the schema refuses it in every text column
// (domain/schemas/common.ts), and metadata goes as JSON.stringify writes it, where NUL is the six
// characters `\u0000` which jsonb refuses (SQLSTATE 22P05), exactly as it did when the rows went
// as one JSON document. Lone surrogates likewise: refused by the schema, escaped by JSON.stringify.

/** One field: text, a number (written as JSON.stringify writes it), or NULL. */
export type CopyValue = string | number | null | undefined;

const needsEscape = /[\\\n\r\t]/;
const escapable = /[\\\n\r\t]/g;
const escapes: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A value as one field of a COPY text line. */
export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  // A finite double's shortest text, the same JSON.stringify gives (decoding keeps only numbers a
  // double holds exactly: decode-event.ts).
  if (typeof value === 'number') return String(value);
  return needsEscape.test(value) ? value.replace(escapable, (c) => escapes[c] ?? c) : value;
}

/** A JSON value (jsonb column) as one field: its JSON text, raw exact numbers kept verbatim. */
export function copyJsonField(value: unknown): string {
  return value === null || value === undefined ? '\\N' : copyField(JSON.stringify(value));
}
