/**
 * The largest `n` an endpoint says it takes, read from the words of its 400. Servers phrase it their own
 * way: llama-server "Field 'n': Value must be between 1 <= value <= 4, but got 8", OpenAI "Invalid 'n':
 * integer above maximum value. Expected a value <= 128, but got 200 instead.", proxies "n must be at most
 * 128", Groq "'n' > 1 is not supported" or "n must be 1". Only a message that names `n` is read: a 400
 * about the context length also holds numbers, and must not set the run's n.
 */

/** `n` as a word of its own (`n`, 'n', "n", `n`), not the letter inside another word. */
const namesN = /(?:^|[^\p{L}\p{N}_])['"`]?n['"`]?(?=[^\p{L}\p{N}_]|$)/u;

/** Each pattern captures the cap; the first that matches wins. */
const capPatterns: readonly RegExp[] = [
  /<=\s*value\s*<=\s*(\d+)/i,
  /\bvalue\s*<=\s*(\d+)/i,
  /\bat most\s+(\d+)/i,
  /\b(?:less than or equal to|no (?:more|greater) than|not (?:be )?(?:more|greater) than|not exceed)\s+(\d+)/i,
  /\bbetween\s+\d+\s+and\s+(\d+)/i,
  /\b(?:maximum|max)(?:\s+(?:value|allowed|supported))?(?:\s+(?:is|of))?\s*:?\s*(\d+)/i,
  /['"`]?n['"`]?\s*>\s*(\d+)\s+(?:is\s+)?not\s+(?:supported|allowed)/i,
  /(?:^|[^\p{L}\p{N}_])['"`]?n['"`]?\s+(?:must|should|can only)\s+be\s+(\d+)\b/iu,
];

export function nCapFromMessage(message: string): number | null {
  if (!namesN.test(message)) return null;
  for (const pattern of capPatterns) {
    const match = pattern.exec(message);
    if (match !== null) return Number(match[1]);
  }
  return null;
}
