/** `promptlab models` on a terminal: one line per model the endpoint lists. */
import type { ListedModel } from '../core/list-models.js';
import type { Colors } from './colors.js';
import { formatTextTable } from './text-table.js';

export function renderModelList(models: readonly ListedModel[], colors: Colors): string {
  const table = formatTextTable(
    [
      { header: 'model', align: 'left' },
      { header: 'owned by', align: 'left' },
      { header: 'created', align: 'left' },
    ],
    models.map((model) => [colors.cyan(model.id), model.ownedBy ?? '', model.created?.slice(0, 10) ?? '']),
    colors.bold,
  );
  // A model with no owner or date leaves its line padded: no trailing spaces.
  return table
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
