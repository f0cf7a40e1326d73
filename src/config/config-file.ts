/**
 * The project config file: `promptlab.config.json`, `.yaml` or `.yml`, found by walking up from the
 * working directory. Validated strictly (parse-config-file.ts), because users write it by hand and a typo
 * silently ignored is a setting silently lost. Errors name the file and the key. The parser (zod, yaml)
 * is loaded only when there is a file to parse: most runs have none.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ConfigFile } from './parse-config-file.js';

export type { ConfigFile, ConfigFileData } from './parse-config-file.js';

export const configFileNames = ['promptlab.config.json', 'promptlab.config.yaml', 'promptlab.config.yml'] as const;

/** The nearest config file at or above `cwd`, parsed and validated; null when there is none. */
export async function findConfigFile(cwd: string): Promise<ConfigFile | null> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = await configFilesIn(dir);
    const [first, second] = found;
    const shown = (path: string) => relative(cwd, path) || path;
    if (first && second) throw new ConfigError(`${shown(first.path)} and ${shown(second.path)} both exist: keep one`);
    if (first)
      return (await import('./parse-config-file.js')).parseConfigFile(first.text, first.path, shown(first.path));
    if (dirname(dir) === dir) return null;
  }
}

async function configFilesIn(dir: string): Promise<Array<{ path: string; text: string }>> {
  const found: Array<{ path: string; text: string }> = [];
  for (const name of configFileNames) {
    const path = join(dir, name);
    try {
      // Most directories hold no config file: a stat that returns nothing when there is none costs far less than a failed read.
      if (statSync(path, { throwIfNoEntry: false }) === undefined) continue;
      found.push({ path, text: await readFile(path, 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new ConfigError(`${path}: cannot read: ${code ?? String(error)}`, { cause: error });
    }
  }
  return found;
}
