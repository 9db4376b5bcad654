// Files named by settings (a CA, a client certificate, a password mounted from a Secret), read once
// at start-up: a missing or unreadable one ends the start with a line naming the variable and the
// file, never its content.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';
import { Secret } from './secret.ts';

function readSettingFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      `${variable} names ${path}, which cannot be read (${typeof code === 'string' ? code : 'unreadable'})`,
    );
  }
}

/** A password file holds the password and, as `echo` and editors write it, maybe one newline. */
export function readPasswordFile(variable: string, path: string): Secret {
  const password = readSettingFile(variable, path).replace(/\r?\n$/, '');
  if (password === '') throw new ConfigError(`${variable} names ${path}, which is empty`);
  return new Secret(password);
}

/** A PEM file (certificate or key): checked to hold one, so a wrong path fails here, not later. */
export function readPemFile(variable: string, path: string): string {
  const pem = readSettingFile(variable, path);
  if (!pem.includes('-----BEGIN '))
    throw new ConfigError(`${variable} names ${path}, which is not PEM`);
  return pem;
}
