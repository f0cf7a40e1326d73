/**
 * What a run would cost, worked out without calling anything (`compare --dry-run`, `eval --dry-run`):
 * every record through every cell's plan (strategy.ts, PreparedStrategy.plan), its requests counted and
 * their prompts' tokens estimated.
 *
 * An estimate, and an upper bound on requests: prompt tokens are the characters of the rendered messages
 * divided by 4 (a common rule of thumb for English text with OpenAI-style tokenizers; no tokenizer of any
 * particular model is loaded); each self-consistency sample counts as a request of its own, as on an
 * endpoint that ignores `n` (one that honours it sends one request per window); a two-stage extraction
 * call counts, its prompt without the reasoning it will quote; completion tokens are not estimated.
 */
import type { Cell } from '../core/cells.js';
import type { ChatMessage } from '../core/chat-client.js';
import type { DatasetRecord } from '../core/records.js';
import type { PreparedStrategy } from '../strategies/strategy.js';

export interface RequestEstimate {
  requests: number;
  promptTokens: number;
}

export interface CellEstimate extends Cell, RequestEstimate {}

export interface RunEstimate {
  records: number;
  cells: CellEstimate[];
  /** The whole run. */
  estimate: RequestEstimate;
}

/** One line for people, saying how the numbers were made. */
export const estimateBasis =
  'an estimate: prompt tokens ≈ characters / 4 of the rendered messages; each self-consistency sample and each two-stage extraction call counts as a request (an endpoint that honours n sends fewer); completion tokens are not estimated';

/** Prompt tokens of one request's messages, at 4 characters a token. */
export const estimatePromptTokens = (messages: readonly ChatMessage[]): number =>
  Math.ceil(messages.reduce((sum, message) => sum + message.content.length, 0) / 4);

export interface EstimatedJob extends Cell {
  prepared: PreparedStrategy;
}

/**
 * Plans every record in every cell. `onFirstRequest` sees each record × cell's first request (what the
 * strategy commands' --dry-run prints), in record order.
 */
export async function estimateRun(
  records: AsyncIterable<DatasetRecord>,
  jobs: readonly EstimatedJob[],
  onFirstRequest?: (record: DatasetRecord, job: EstimatedJob, messages: ChatMessage[]) => void | Promise<void>,
): Promise<RunEstimate> {
  const cells: CellEstimate[] = jobs.map((job) => ({
    model: job.model,
    strategy: job.strategy,
    variant: job.variant,
    requests: 0,
    promptTokens: 0,
  }));
  let count = 0;
  for await (const record of records) {
    count++;
    for (const [index, job] of jobs.entries()) {
      const planned = await job.prepared.plan(record);
      const cell = cells[index]!;
      for (const request of planned) {
        cell.requests += request.count;
        cell.promptTokens += request.count * estimatePromptTokens(request.messages);
      }
      if (planned[0] !== undefined) await onFirstRequest?.(record, job, planned[0].messages);
    }
  }
  return {
    records: count,
    cells,
    estimate: {
      requests: cells.reduce((sum, cell) => sum + cell.requests, 0),
      promptTokens: cells.reduce((sum, cell) => sum + cell.promptTokens, 0),
    },
  };
}
