/** `promptlab models`: the models the endpoint lists (`GET /v1/models`); a table on a terminal, JSON otherwise. */
import { listModels } from '../core/list-models.js';
import { renderModelList } from '../render/model-list.js';
import type { Io } from '../run/io.js';
import { resolveRunConfig } from '../run/run-setup.js';
import { createTerminal } from './terminal.js';

export async function modelsCommand(flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const terminal = await createTerminal({ quiet: flagValues.quiet === true }, io);
  const config = await resolveRunConfig(flagValues, io.env);
  const models = await listModels({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    maxRetries: config.retries,
  });
  if (flagValues.json === true || !io.stdout.isTTY) {
    io.stdout.write(`${JSON.stringify({ baseUrl: config.baseUrl, models }, null, 2)}\n`);
    return;
  }
  if (models.length === 0) terminal.warn(`${config.baseUrl} lists no models`);
  else io.stdout.write(`${renderModelList(models, terminal.stdoutColors)}\n`);
}
