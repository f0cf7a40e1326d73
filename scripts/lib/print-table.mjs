// An aligned plain-text table for the check scripts, from the renderer the CLI uses (built into dist/).
import { formatTextTable } from '../../dist/render/text-table.js';

/** Prints `rows` (the first is the header) as an aligned table, indented by two spaces. */
export function printTable([header, ...rows]) {
  const table = formatTextTable(
    header.map((title) => ({ header: title, align: 'left' })),
    rows,
  );
  for (const line of table.split('\n')) console.log(`  ${line}`);
}
