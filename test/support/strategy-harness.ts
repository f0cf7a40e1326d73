/**
 * Runs one strategy in a unit test: prepared from its registry entry with flags as commander would give
 * them, a shipped template, demonstrations given inline, and a run context over a fake ChatClient.
 */
import type { ChatClient } from '../../src/core/chat-client.js';
import type { DatasetRecord, StrategyOutcome } from '../../src/core/records.js';
import { newEndpointKnowledge } from '../../src/core/sample-completions.js';
import { parseAnswerSpec } from '../../src/core/normalize-answer.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { prepareStrategy, type PreparedStrategy, type RunContext } from '../../src/strategies/strategy.js';
import type { Demonstration } from '../../src/strategies/demonstrations.js';
import { loadTemplate, shippedTemplatesDir } from '../../src/templates/load-template.js';

const dirs = { projectDir: '/nonexistent-promptlab-prompts', shippedDir: shippedTemplatesDir };

export interface HarnessOptions {
  template?: string;
  /** Files a flag names, as the demonstrations they hold. */
  demonstrations?: Record<string, Array<Partial<Demonstration> & { input: Demonstration['input']; output: string }>>;
  /** Files a flag names, as their text (context documents). */
  texts?: Record<string, string>;
  seed?: number | null;
  warnings?: string[];
}

export async function prepareFor(
  strategy: string,
  flagValues: Record<string, unknown>,
  options: HarnessOptions = {},
): Promise<PreparedStrategy> {
  const definition = findStrategy(strategy);
  if (definition === undefined) throw new Error(`no strategy ${strategy}`);
  const template = await loadTemplate(options.template ?? 'math', dirs);
  return prepareStrategy(definition, flagValues, {
    template,
    loadTemplate: (name) => loadTemplate(name, dirs),
    readDemonstrations: async (path) =>
      (options.demonstrations?.[path] ?? []).map((demo, index) => ({
        id: null,
        reasoning: null,
        source: `${path}:${index + 1}`,
        ...demo,
      })),
    readTextFile: async (path) => options.texts?.[path] ?? '',
    answer: parseAnswerSpec(template.settings.answer ?? 'text'),
    pick: null,
    seed: options.seed ?? null,
    warn: (message) => options.warnings?.push(message),
  });
}

export function contextFor(client: ChatClient, overrides: Partial<RunContext> = {}): RunContext {
  return {
    client,
    temperature: 0,
    maxTokens: null,
    seed: null,
    endpoint: newEndpointKnowledge(),
    signal: new AbortController().signal,
    warn: () => undefined,
    ...overrides,
  };
}

export const record = (input: string, overrides: Partial<DatasetRecord> = {}): DatasetRecord => ({
  id: 'r1',
  vars: { input },
  expected: null,
  source: 'data.jsonl:1',
  index: 0,
  ...overrides,
});

export type { StrategyOutcome };
