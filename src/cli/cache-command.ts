/** `promptlab cache stats|clear`. */
import { homedir } from 'node:os';
import { findConfigFile } from '../config/config-file.js';
import { resolveConfig } from '../config/resolve-config.js';
import { cacheStatistics, clearCache } from './file-cache-store.js';

async function cacheDirectory(flagValues: Record<string, unknown>): Promise<string> {
  const config = resolveConfig({
    flags: { cache: flagValues.cache as string | undefined },
    env: process.env,
    file: await findConfigFile(process.cwd()),
    homeDir: homedir(),
  });
  return config.cache.dir;
}

export async function cacheStatsCommand(flagValues: Record<string, unknown>): Promise<void> {
  const statistics = await cacheStatistics(await cacheDirectory(flagValues));
  if (process.stdout.isTTY)
    process.stdout.write(`${statistics.directory}\n${statistics.entries} entries, ${statistics.bytes} bytes\n`);
  else process.stdout.write(`${JSON.stringify(statistics)}\n`);
}

export async function cacheClearCommand(flagValues: Record<string, unknown>): Promise<void> {
  const directory = await cacheDirectory(flagValues);
  const removed = await clearCache(directory);
  process.stderr.write(`removed ${removed} cached response(s) from ${directory}\n`);
}
