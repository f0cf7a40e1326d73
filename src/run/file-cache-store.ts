/**
 * The cache on disk: one small JSON file per sample, `<dir>/<key>.json`, written atomically with
 * user-only permissions. Entries hold the choice and its usage — never a URL, header or key.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheEntry, CacheStore } from '../core/cached-client.js';
import { privateFileMode, writeFileAtomic } from './write-file.js';

export function createFileCacheStore(directory: string): CacheStore {
  let ready: Promise<unknown> | null = null;
  return {
    async get(key) {
      try {
        const entry = JSON.parse(await readFile(join(directory, `${key}.json`), 'utf8')) as CacheEntry;
        return typeof entry?.choice?.text === 'string' ? entry : null;
      } catch {
        // Missing or unreadable (half-written by a crashed run before atomic writes): a miss, not an error.
        return null;
      }
    },
    async set(key, entry) {
      ready ??= mkdir(directory, { recursive: true, mode: 0o700 });
      await ready;
      await writeFileAtomic(join(directory, `${key}.json`), `${JSON.stringify(entry)}\n`, privateFileMode);
    },
  };
}

export async function cacheStatistics(
  directory: string,
): Promise<{ directory: string; entries: number; bytes: number }> {
  let names: string[] = [];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.json'));
  } catch {
    return { directory, entries: 0, bytes: 0 };
  }
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(directory, name))).size));
  return { directory, entries: names.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

export async function clearCache(directory: string): Promise<number> {
  const { entries } = await cacheStatistics(directory);
  const names = await readdir(directory).catch(() => [] as string[]);
  await Promise.all(
    names.filter((name) => name.endsWith('.json')).map((name) => rm(join(directory, name), { force: true })),
  );
  return entries;
}
