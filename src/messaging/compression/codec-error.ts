// The one error a codec throws, whatever went wrong: a batch that decompresses past the cap, corrupt
// bytes, a codec id Kafka does not define. Its reason is for an operator's log line, so it says
// which codec, which sizes and which decoder error class, and never holds bytes of the payload.
export class CodecError extends Error {
  override name = 'CodecError';
  /** gzip, snappy, lz4, zstd, or `codec <id>` when the id is unknown. */
  readonly codec: string;
  readonly reason: string;

  constructor(codec: string, reason: string, options?: { cause?: unknown }) {
    super(`${codec}: ${reason}`, options);
    this.codec = codec;
    this.reason = reason;
  }
}

/** The decoder's error class and code, never its message (a decoder may quote what it read). */
export function decoderFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'decoder failed';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
