/**
 * Model prices for the report's cost axis: USD per million input (prompt) and output (completion) tokens,
 * as providers publish them. From `--price MODEL=IN,OUT` (repeatable) over `prices:` in the config file.
 */
import { UsageError } from '../errors.js';
import type { Usage } from '../core/chat-client.js';

export interface ModelPrice {
  /** USD per million prompt tokens. */
  input: number;
  /** USD per million completion tokens. */
  output: number;
}

/** `gpt-4o-mini=0.15,0.6` → ['gpt-4o-mini', {input: 0.15, output: 0.6}]. The model name may hold `=` or `:`. */
export function parsePriceFlag(text: string): [string, ModelPrice] {
  const split = text.lastIndexOf('=');
  const model = split === -1 ? '' : text.slice(0, split).trim();
  const amounts = split === -1 ? [] : text.slice(split + 1).split(',');
  const [input, output] = amounts.map((amount) => (amount.trim() === '' ? Number.NaN : Number(amount)));
  if (model === '' || amounts.length !== 2 || !isPrice(input) || !isPrice(output))
    throw new UsageError(
      `--price must be MODEL=IN,OUT (USD per million input and output tokens, e.g. gpt-4o-mini=0.15,0.6), got "${text}"`,
    );
  return [model, { input, output }];
}

const isPrice = (value: number | undefined): value is number =>
  value !== undefined && Number.isFinite(value) && value >= 0;

/** Flags beat the config file, model by model. */
export function resolvePrices(
  flags: readonly string[],
  fromConfig: Readonly<Record<string, ModelPrice>> | undefined,
): Map<string, ModelPrice> {
  const prices = new Map<string, ModelPrice>(Object.entries(fromConfig ?? {}));
  for (const flag of flags) {
    const [model, price] = parsePriceFlag(flag);
    prices.set(model, price);
  }
  return prices;
}

/** USD for the tokens of `usage` at `price`. */
export function costOf(usage: Usage, price: ModelPrice): number {
  return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
}
