// A certificate authority made for one test run with openssl: a CA, certificates it signs for
// localhost / 127.0.0.1 (a server) or a client name, and a second CA nobody trusts.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IssuedCertificate {
  /** PEM files: the certificate, its unencrypted PKCS#8 key. */
  readonly cert: string;
  readonly key: string;
}

export interface ThrowawayCa {
  readonly caFile: string;
  issue(name: string, altNames?: string): Promise<IssuedCertificate>;
}

export async function createThrowawayCa(dir: string, name = 'ca'): Promise<ThrowawayCa> {
  const caFile = join(dir, `${name}.pem`);
  const caKey = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=throwaway ${name}`,
    '-keyout',
    caKey,
    '-out',
    caFile,
  ]);
  return {
    caFile,
    async issue(cn, altNames = 'DNS:localhost,IP:127.0.0.1') {
      const key = join(dir, `${cn}.key`);
      const csr = join(dir, `${cn}.csr`);
      const cert = join(dir, `${cn}.pem`);
      const ext = join(dir, `${cn}.ext`);
      await writeFile(ext, `subjectAltName=${altNames}\n`);
      await run('openssl', [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        `/CN=${cn}`,
        '-keyout',
        key,
        '-out',
        csr,
      ]);
      await run('openssl', [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caFile,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        ext,
        '-out',
        cert,
      ]);
      return { cert, key };
    },
  };
}
