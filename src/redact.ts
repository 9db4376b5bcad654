// Library messages (kafkajs, knex) name hosts and addresses; logs keep the text, not the IPs.
export function redactIps(text: string): string {
  return text.replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>');
}
