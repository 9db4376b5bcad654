// The one redactor for everything the service logs. Library messages (pg, knex, kafkajs, Node's
// net module) name the hosts, addresses and ports they failed to reach, and a URL in an error may
// carry its password; an operator's log needs the failure, not where the database lives. Applied
// by the logger to every line (src/runtime/logger.ts), so no call site can forget it.

/** scheme://user:password@ → scheme://<credentials>@ (greedy to the authority's last @). */
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

const hex = '[0-9a-f]{1,4}';
const ipv4 = String.raw`(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}`;
// Every IPv6 form either has all eight groups or "::" (RFC 4291 §2.2), which keeps clock times
// such as 09:12:00 out; an IPv4 tail (::ffff:10.0.0.1) and a zone (fe80::1%eth0) may follow.
// Node writes a port after an unbracketed address (ECONNREFUSED ::1:45999), which the groups take
// in up to four digits: the match runs on to the end of the word, so no digit is left behind.
const ipv6Body = [
  `(?:${hex}:){7}${hex}`,
  `(?:${hex}:){6}${ipv4}`,
  `(?:${hex}(?::${hex})*)?::(?:(?:${hex}:)*(?:${ipv4}|${hex}))?`,
].join('|');
const ipv6 = new RegExp(
  String.raw`\[(?:${ipv6Body})(?:%[\w.-]+)?\](?::\d+)?|(?<![\w:.>])(?:${ipv6Body})(?:%[\w.-]+)?(?::\d+)?\w*`,
  'gi',
);
/** An IPv4 address, with its port if any; loose on purpose (999.1.1.1 goes too). */
const ipv4WithPort = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?!\d)/g;
// host:port, not a file:line:column of a stack frame (a path before it, a column after it) nor a
// scheme such as node:net, nor the rest of a placeholder just written (<host>e:0 stays as it is).
const hostPort =
  /(?<![\w/:.>-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*:\d{1,5}(?![\d:])/gi;

export function redact(text: string): string {
  return text
    .replace(urlCredentials, '$1<credentials>@')
    .replace(ipv6, '<ip>')
    .replace(ipv4WithPort, '<ip>')
    .replace(hostPort, '<host>');
}

const maxDepth = 8;

/** A copy of a log entry's value with every string in it redacted (the caller's objects stay as
 * they were). Errors become their name, message and stack: their other fields may hold data. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return '<nested too deep>';
  if (value instanceof Error) {
    return redactValue({ name: value.name, message: value.message, stack: value.stack }, depth + 1);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, depth + 1);
  return copy;
}
