// How the Kafka clients prove who they are and check whom they talk to: TLS (with a private CA,
// and a client certificate for mutual TLS) and SASL (PLAIN or SCRAM). Read once at start, the
// same for both clients and every command; files are read here, so a wrong path stops the start.
import { ConfigError } from './config-error.ts';
import { Secret } from './secret.ts';
import { readPasswordFile, readPemFile } from './setting-files.ts';

const kafkaSaslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type KafkaSaslMechanism = (typeof kafkaSaslMechanisms)[number];

interface KafkaTls {
  /** PEM of the CA(s) to trust instead of Node's public roots (KAFKA_SSL_CA_FILE). */
  readonly ca?: string;
  /** Mutual TLS: the client's certificate chain and its private key. */
  readonly cert?: string;
  readonly key?: Secret;
  /** Whether the broker's certificate must name the host dialled (on unless turned off). */
  readonly verifyHostname: boolean;
}

interface KafkaSasl {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: Secret;
}

export interface KafkaSecurity {
  /** Absent: plaintext connections. */
  readonly tls?: KafkaTls;
  /** Absent: no SASL authentication. */
  readonly sasl?: KafkaSasl;
}

export type KafkaSecurityVariable =
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SSL_CERT_FILE'
  | 'KAFKA_SSL_KEY_FILE'
  | 'KAFKA_SSL_VERIFY_HOSTNAME'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SASL_PASSWORD_FILE';

export const kafkaSecurityDefaults: Readonly<Record<KafkaSecurityVariable, string>> = {
  KAFKA_SSL: 'false',
  KAFKA_SSL_CA_FILE: '',
  KAFKA_SSL_CERT_FILE: '',
  KAFKA_SSL_KEY_FILE: '',
  KAFKA_SSL_VERIFY_HOSTNAME: 'true',
  KAFKA_SASL_MECHANISM: '',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SASL_PASSWORD_FILE: '',
};

// OAUTHBEARER needs a token provider (an OIDC client of its own) and AWS MSK IAM a request signer:
// neither is a setting, and @platformatic/kafka has no MSK IAM at all (docs/operations.md).
const notOffered: Readonly<Record<string, string>> = {
  oauthbearer: 'OAUTHBEARER is not offered (it needs a token provider); use SCRAM or mutual TLS',
  aws: 'AWS MSK IAM is not offered by both clients; use SCRAM-SHA-512 (MSK supports it) or mutual TLS',
  aws_msk_iam: 'AWS MSK IAM is not offered by both clients; use SCRAM-SHA-512 or mutual TLS',
  gssapi: 'GSSAPI (Kerberos) is not offered; use SCRAM or mutual TLS',
};

function flag(text: (name: KafkaSecurityVariable) => string, name: KafkaSecurityVariable): boolean {
  const value = text(name).toLowerCase();
  if (value !== 'true' && value !== 'false')
    throw new ConfigError(`${name} must be true or false, got "${value}"`);
  return value === 'true';
}

function readTls(text: (name: KafkaSecurityVariable) => string): KafkaTls | undefined {
  const caFile = text('KAFKA_SSL_CA_FILE');
  const certFile = text('KAFKA_SSL_CERT_FILE');
  const keyFile = text('KAFKA_SSL_KEY_FILE');
  const verifyHostname = flag(text, 'KAFKA_SSL_VERIFY_HOSTNAME');
  if (!flag(text, 'KAFKA_SSL')) {
    const given = (
      ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const
    ).find((name) => text(name) !== '');
    // A CA or certificate given with TLS off is a half-done setup: refuse it rather than dial plaintext.
    if (given !== undefined) throw new ConfigError(`${given} is set but KAFKA_SSL is not true`);
    return undefined;
  }
  if ((certFile === '') !== (keyFile === ''))
    throw new ConfigError('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS)');
  return {
    ...(caFile === '' ? {} : { ca: readPemFile('KAFKA_SSL_CA_FILE', caFile) }),
    ...(certFile === '' ? {} : { cert: readPemFile('KAFKA_SSL_CERT_FILE', certFile) }),
    ...(keyFile === '' ? {} : { key: new Secret(readPemFile('KAFKA_SSL_KEY_FILE', keyFile)) }),
    verifyHostname,
  };
}

function readSasl(text: (name: KafkaSecurityVariable) => string): KafkaSasl | undefined {
  const mechanism = text('KAFKA_SASL_MECHANISM').toLowerCase();
  const username = text('KAFKA_SASL_USERNAME');
  const password = text('KAFKA_SASL_PASSWORD');
  const passwordFile = text('KAFKA_SASL_PASSWORD_FILE');
  if (mechanism === '') {
    const given = (
      ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const
    ).find((name) => text(name) !== '');
    if (given !== undefined)
      throw new ConfigError(`${given} is set but KAFKA_SASL_MECHANISM is not`);
    return undefined;
  }
  const refusal = notOffered[mechanism];
  if (refusal !== undefined) throw new ConfigError(`KAFKA_SASL_MECHANISM: ${refusal}`);
  if (!(kafkaSaslMechanisms as readonly string[]).includes(mechanism)) {
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM must be one of ${kafkaSaslMechanisms.join(', ')}, got "${mechanism}"`,
    );
  }
  if (username === '') throw new ConfigError(`KAFKA_SASL_USERNAME is required with ${mechanism}`);
  if ((password === '') === (passwordFile === ''))
    throw new ConfigError(
      `KAFKA_SASL_MECHANISM=${mechanism} needs one of KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE`,
    );
  return {
    mechanism: mechanism as KafkaSaslMechanism,
    username,
    password:
      passwordFile === ''
        ? new Secret(password)
        : readPasswordFile('KAFKA_SASL_PASSWORD_FILE', passwordFile),
  };
}

/** `text` gives a variable's trimmed value or its default. */
export function readKafkaSecurity(text: (name: KafkaSecurityVariable) => string): KafkaSecurity {
  const tls = readTls(text);
  const sasl = readSasl(text);
  return Object.freeze({
    ...(tls === undefined ? {} : { tls }),
    ...(sasl === undefined ? {} : { sasl }),
  });
}
