/**
 * The one redactor: what promptlab prints, logs or keeps from an endpoint's words passes through here,
 * so the API key and bearer tokens never reach a message, and a server's reply stays one line. Used by
 * both endpoint adapters (openai-errors.ts) and by the CLI's error report, over every secret it knows.
 */

/** Each secret replaced by `***`, and any `Bearer <token>`. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null>): string {
  let clean = text;
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('***');
  return clean.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer ***');
}

/** Whitespace runs (newlines included) as one space, trimmed, cut to `limit` characters with an ellipsis. */
export function oneLine(text: string, limit = Infinity): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** One line with no secret in it: for anything taken from an endpoint's answer or an SDK error. */
export const redact = (text: string, secrets: ReadonlyArray<string | null>, limit = Infinity): string =>
  oneLine(redactSecrets(text, secrets), limit);
