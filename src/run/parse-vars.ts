/** `--var key=value` (repeatable) and `--vars '{"k":"v"}'` / `--vars @file.json`, merged (--var wins). */
import { readFile } from 'node:fs/promises';
import { InputError, UsageError } from '../errors.js';

export async function parseVarFlags(
  varFlags: readonly string[] | undefined,
  varsFlag: string | undefined,
): Promise<Record<string, unknown>> {
  const vars: Record<string, unknown> = {};
  if (varsFlag !== undefined) Object.assign(vars, await parseVarsJson(varsFlag));
  for (const assignment of varFlags ?? []) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw new UsageError(`--var expects key=value, got "${assignment}"`);
    vars[assignment.slice(0, equals).trim()] = assignment.slice(equals + 1);
  }
  return vars;
}

async function parseVarsJson(value: string): Promise<Record<string, unknown>> {
  const fromFile = value.startsWith('@');
  const label = fromFile ? `--vars ${value}` : '--vars';
  let text = value;
  if (fromFile) {
    try {
      text = await readFile(value.slice(1), 'utf8');
    } catch (error) {
      throw new InputError(
        `${label}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${label}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${label}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}
