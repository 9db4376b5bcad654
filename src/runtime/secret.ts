// A password or private key read at start-up. The value sits in a private field: it is not an own
// property, so neither JSON.stringify, Object.entries (the logger's redaction walks those), nor
// util.inspect (console.log, a crash's report of the Config) can show it. Only `reveal()` does,
// called where a client library is handed its options.
import { inspect } from 'node:util';

const shown = '<secret>';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return shown;
  }

  toJSON(): string {
    return shown;
  }

  [inspect.custom](): string {
    return shown;
  }
}
