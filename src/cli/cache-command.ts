/** `promptlab cache stats|clear`. */
import { homedir } from 'node:os';
import { findConfigFile } from '../config/config-file.js';
import { resolveConfig } from '../config/resolve-config.js';
import { cacheStatistics, clearCache } from '../run/file-cache-store.js';
import type { Io } from '../run/io.js';

async function cacheDirectory(flagValues: Record<string, unknown>, env: Io['env']): Promise<string> {
  const config = resolveConfig({
    flags: { cache: flagValues.cache as string | undefined },
    env,
    file: await findConfigFile(process.cwd()),
    homeDir: homedir(),
  });
  return config.cache.dir;
}

export async function cacheStatsCommand(flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const statistics = await cacheStatistics(await cacheDirectory(flagValues, io.env));
  if (io.stdout.isTTY)
    io.stdout.write(`${statistics.directory}\n${statistics.entries} entries, ${statistics.bytes} bytes\n`);
  else io.stdout.write(`${JSON.stringify(statistics)}\n`);
}

export async function cacheClearCommand(flagValues: Record<string, unknown>, io: Io): Promise<void> {
  const directory = await cacheDirectory(flagValues, io.env);
  const removed = await clearCache(directory);
  io.stderr.write(`removed ${removed} cached response(s) from ${directory}\n`);
}
