/** JSON Lines text, as a dataset or results file holds it: one row a line, the last line ended too. */
export const jsonl = (rows: readonly object[]): string => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
