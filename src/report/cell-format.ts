/** How cells look wherever the report shows them: one colour each, and costs in dollars. */

/** Observable's ten-colour categorical palette (Plot's default), so each cell keeps its colour everywhere. */
const cellColors = [
  '#4269d0',
  '#efb118',
  '#ff725c',
  '#6cc5b0',
  '#3ca951',
  '#ff8ab7',
  '#a463f2',
  '#97bbf5',
  '#9c6b4e',
  '#9498a0',
] as const;

export const colorOfCell = (index: number): string => cellColors[index % cellColors.length]!;

/** $0.0012 per record, $1.50: enough digits to tell cells apart, at any scale. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0';
  const digits = Math.max(2, 1 - Math.floor(Math.log10(Math.abs(value))));
  return `$${value.toFixed(Math.min(digits, 8))}`;
}
