// Rows in the text format of COPY … FROM STDIN (https://www.postgresql.org/docs/15/sql-copy.html):
// one line per row, fields separated by tabs, `\N` for NULL, and in a value a backslash, newline,
// carriage return or tab written as a backslash sequence. Every other character goes as it is, in
// UTF-8 (pg sets client_encoding UTF8), so a value arrives exactly as the event held it.
//
// NUL has no form in COPY text (nor in Postgres text): the schema refuses it in every text column
// (domain/schemas/common.ts), and metadata goes as JSON.stringify writes it, where NUL is the six
// characters `\u0000` which jsonb refuses (SQLSTATE 22P05), exactly as it did when the rows went
// as one JSON document. Lone surrogates likewise: refused by the schema, escaped by JSON.stringify.
//
// Fields are written straight into Buffers of 64 KiB, each sent as one CopyData message: no string
// per row or per batch, and no copy to grow a buffer. That allocates about a third of what the
// JSON document of the rows did, at half its CPU (`npx node --expose-gc bench/row-encoding.ts`).

const chunkBytes = 64 * 1024;
const backslash = 0x5c;
const tab = 0x09;
const newline = 0x0a;
/** For the four characters COPY text escapes, the letter after the backslash; 0 for the rest. */
const escapeLetter = new Uint8Array(0x80);
escapeLetter[backslash] = backslash;
escapeLetter[newline] = 0x6e; // n
escapeLetter[0x0d] = 0x72; // carriage return: r
escapeLetter[tab] = 0x74; // t
const escapable = /[\\\n\r\t]/g;
const escapes: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** COPY text, written row by row, field by field. */
export class CopyRows {
  readonly #full: Buffer[] = [];
  #chunk = Buffer.allocUnsafe(chunkBytes);
  #at = 0;
  #inRow = false;

  /** A text field, or NULL. */
  text(value: string | null | undefined): this {
    this.#separate();
    if (value === null || value === undefined) return this.#ascii('\\N');
    this.#room(value.length * 2); // every character escaped, if all are ASCII
    const chunk = this.#chunk;
    let at = this.#at;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        this.#at = at;
        return this.#unicode(value.slice(i));
      }
      const letter = escapeLetter[code] ?? 0;
      if (letter === 0) {
        chunk[at++] = code;
      } else {
        chunk[at++] = backslash;
        chunk[at++] = letter;
      }
    }
    this.#at = at;
    return this;
  }

  /** A number field as JSON.stringify writes it (decoding keeps only numbers a double holds
   * exactly: decode-event.ts), or NULL. */
  number(value: number | null | undefined): this {
    this.#separate();
    return this.#ascii(value === null || value === undefined ? '\\N' : String(value));
  }

  /** A jsonb field: the value's JSON text, raw exact numbers kept verbatim; or NULL. */
  json(value: unknown): this {
    return this.text(value === null || value === undefined ? null : JSON.stringify(value));
  }

  endRow(): void {
    this.#room(1);
    this.#chunk[this.#at++] = newline;
    this.#inRow = false;
  }

  /** The text written, in order: one CopyData message each. */
  buffers(): Buffer[] {
    return this.#at === 0 ? [...this.#full] : [...this.#full, this.#chunk.subarray(0, this.#at)];
  }

  #separate(): void {
    this.#room(1);
    if (this.#inRow) this.#chunk[this.#at++] = tab;
    this.#inRow = true;
  }

  /** The rest of a text from its first non-ASCII character on: escaped, then encoded. */
  #unicode(rest: string): this {
    const escaped = rest.replace(escapable, (c) => escapes[c] ?? c);
    this.#room(escaped.length * 3);
    this.#at += this.#chunk.write(escaped, this.#at);
    return this;
  }

  #ascii(text: string): this {
    this.#room(text.length);
    for (let i = 0; i < text.length; i++) this.#chunk[this.#at++] = text.charCodeAt(i);
    return this;
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#chunk.length) return;
    if (this.#at > 0) this.#full.push(this.#chunk.subarray(0, this.#at));
    this.#chunk = Buffer.allocUnsafe(Math.max(chunkBytes, bytes));
    this.#at = 0;
  }
}
