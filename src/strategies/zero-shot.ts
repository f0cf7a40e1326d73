/** Zero-shot: the task template alone, one call. */
import { singleCompletionOutcome } from './single-call.js';
import type { PreparedStrategy, StrategySetup } from './strategy.js';

export async function prepare(_options: Record<string, never>, setup: StrategySetup): Promise<PreparedStrategy> {
  const render = (record: { vars: Record<string, unknown>; source: string }) =>
    setup.template.render(record.vars, record.source);
  return {
    render,
    plan: async (record) => [{ messages: await render(record), count: 1 }],
    run: async (record, context) =>
      singleCompletionOutcome(await render(record), context, setup.answer, setup.pick ?? 'first'),
  };
}
