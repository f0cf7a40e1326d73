/** Number formats shared by the terminal, Markdown and record views, so they never disagree. */

/** 0.7333 → "73.3%". */
export function formatPercent(fraction: number, decimals = 1): string {
  return `${(fraction * 100).toFixed(decimals)}%`;
}

/** [0.556, 0.858] → "[55.6–85.8]" (percent, en dash). */
export function formatInterval([low, high]: readonly [number, number]): string {
  return `[${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}]`;
}

/** Accuracy with its 95% interval, or "n/a" when nothing was scored. */
export function formatAccuracy(accuracy: number | null, ci95: readonly [number, number] | null): string {
  if (accuracy === null) return 'n/a';
  return ci95 === null ? formatPercent(accuracy) : `${formatPercent(accuracy)} ${formatInterval(ci95)}`;
}

/** 12345 → "12,345", independent of the machine's locale. */
export function formatCount(value: number): string {
  const [whole = '0', fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Milliseconds rounded to whole numbers: sub-millisecond precision is noise for HTTP calls. */
export function formatMilliseconds(value: number): string {
  return formatCount(Math.round(value));
}

/** Accuracy difference in percentage points, always signed: 0.067 → "+6.7 pts". */
export function formatDeltaPoints(delta: number): string {
  const points = delta * 100;
  const rounded = points.toFixed(1);
  // Keep the sign meaningful: -0.04 rounds to "-0.0", which reads as a loss.
  if (Number(rounded) === 0) return '+0.0 pts';
  return `${points > 0 ? '+' : ''}${rounded} pts`;
}

/** Three decimals, or "< 0.001": more digits would suggest precision the test does not have. */
export function formatPValue(pValue: number): string {
  if (pValue < 0.001) return '< 0.001';
  return String(Number(pValue.toFixed(3)));
}

/** "p = 0.125", "p < 0.001". */
export function formatPClause(pValue: number): string {
  const text = formatPValue(pValue);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

/** Mean samples per record: "1", "4.5". */
export function formatMean(value: number): string {
  return String(Number(value.toFixed(1)));
}
