// A topic's max.message.bytes as the adapters' admins read it: the setting's name, and the broker's
// text as a number of bytes.
export const maxMessageBytesConfig = 'max.message.bytes';

/** The broker's answer as a number of bytes; a broker that gives none is not one to guess for. */
export function parseMaxMessageBytes(topic: string, value: string | null | undefined): number {
  const bytes = Number(value);
  if (value === null || value === undefined || !Number.isSafeInteger(bytes) || bytes <= 0)
    throw new Error(`the broker gave no usable ${maxMessageBytesConfig} for topic ${topic}`);
  return bytes;
}
