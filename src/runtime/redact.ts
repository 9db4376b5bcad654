// The one redactor for everything the service logs, applied by the logger to every line of every
// format (src/runtime/logger.ts), so no call site can forget it. The policy:
// - secrets never reach a log: the password of a URL, any `name=value` or JSON field whose name
//   says password, secret or token (SASL, OAuth, API keys), the contents of a PEM private key;
// - event payloads never reach a log: a Buffer (a message value or key) becomes its length;
// - everything else is left exactly as written. Hosts, IP addresses and ports are the operator's
//   own configuration and what they need to debug a connection; SQL text and error messages are
//   never rewritten by pattern (a pattern for addresses once turned `$1::json` into `$<ip>`).

export const redacted = '<redacted>';

/** scheme://user:password@ → scheme://user:<redacted>@ (greedy to the authority's last @, so a
 * password holding an unencoded @ goes whole). The user name and the host stay. */
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"]*):[^\s/?#"]*@/gi;

/** A word that names a secret: password, passwd, passphrase, secret, token (KAFKA_SASL_PASSWORD,
 * sslpassword, client_secret, access_token, secretAccessKey, sessionToken). */
const secretName = String.raw`[\w.-]*(?:passw(?:or)?d|passphrase|secret|token)[\w.-]*`;
/** name=value, as in a URL query or a libpq conninfo string; the value quoted or up to a
 * separator. No spaces around `=`: `WHERE token = $1` is SQL text, not a setting. */
const namedSecret = new RegExp(
  String.raw`\b(${secretName})=(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&#"]+)`,
  'gi',
);
/** "name": "value" inside JSON text quoted in a message. */
const jsonSecret = new RegExp(String.raw`("${secretName}"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');
/** A PEM private key, also one cut off before its END line. */
const privateKey = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g;

export function redact(text: string): string {
  return text
    .replace(privateKey, `-----${redacted} $1-----`)
    .replace(urlPassword, `$1:${redacted}@`)
    .replace(namedSecret, `$1=${redacted}`)
    .replace(jsonSecret, `$1"${redacted}"`);
}

/** A field of a log entry whose name says it holds a secret: its value goes whole, whatever it is. */
const secretKey = new RegExp(
  String.raw`^(?:${secretName}|pwd|credentials?|authorization|private_?key|api_?key|sasl)$`,
  'i',
);

const maxDepth = 8;

/** A copy of a log entry's value with every secret and payload taken out (the caller's objects
 * stay as they were). Errors become their name, message and stack: their other fields may hold
 * data (a pg error's `detail` quotes the row). */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return '<nested too deep>';
  if (value instanceof Error) {
    return redactValue({ name: value.name, message: value.message, stack: value.stack }, depth + 1);
  }
  // A message's key or value (Buffer is a Uint8Array): its size, never its bytes.
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactField(key, item, depth + 1);
  return copy;
}

/** One field of a log entry (or of an object in it), by its name and then its value. */
export function redactField(key: string, value: unknown, depth = 0): unknown {
  return secretKey.test(key) ? redacted : redactValue(value, depth);
}
