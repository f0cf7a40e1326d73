/**
 * DIR/batch.json: what a batch run is (strategy, flags, dataset, model, sampling settings — so every
 * later subcommand needs only DIR and computes exactly the requests prepare computed) and where it is
 * (phase, request files, the batches they became). Pure: schema and small decisions over it.
 */
import { z } from 'zod';

export const batchStateSchemaId = 'promptlab.batch/v1';

const submissionSchema = z.object({
  /** Batch ids belong to the endpoint that created them; status and collect go back there. */
  baseUrl: z.string(),
  inputFileId: z.string(),
  batchId: z.string(),
});

export const requestFileSchema = z.object({
  name: z.string(),
  phase: z.number().int().positive(),
  kind: z.enum(['prepared', 'resubmitted']),
  requests: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  submission: submissionSchema.nullable(),
  /** The batch status last seen (null until submitted). */
  status: z.string().nullable(),
  /** True once its output and error files were read into DIR/responses and DIR/failures.jsonl. */
  collected: z.boolean(),
});

export const batchStateSchema = z.object({
  schema: z.literal(batchStateSchemaId),
  strategy: z.string(),
  /** Where prepare ran: relative paths in flags (templates, examples, --vars @file) resolve from here. */
  cwd: z.string(),
  dataset: z.string(),
  /** The dataset must not change between phases: the requests of phase 2 follow from the answers of phase 1. */
  datasetSha256: z.string(),
  /** The template file as prepare rendered it (null until the first phase): edited prompts make other requests. */
  templateSha256: z.string().nullable(),
  /** The strategy and run flags as given (raw, as commander parsed them), minus endpoint and output flags. */
  flags: z.record(z.string(), z.unknown()),
  model: z.string(),
  temperature: z.number(),
  maxTokens: z.number().nullable(),
  seed: z.number().nullable(),
  limits: z.object({ maxRequests: z.number().int().positive(), maxBytes: z.number().int().positive() }),
  /** The last phase prepared (0 before the first). */
  phase: z.number().int().nonnegative(),
  files: z.array(requestFileSchema),
});

export type BatchState = z.infer<typeof batchStateSchema>;
export type RequestFile = z.infer<typeof requestFileSchema>;

/** Flags that describe where results go or how to reach the endpoint, not what is asked: never stored. */
const unstoredFlags = new Set([
  'output',
  'json',
  'jsonl',
  'quiet',
  'debug',
  'verbose',
  'dryRun',
  'cache',
  'replay',
  'apiKey',
  'baseUrl',
  'endpoint',
  'timeout',
  'retries',
  'maxRetryWait',
  'concurrency',
  'maxRequestsPerFile',
  'maxFileBytes',
  'dataset',
  'model',
  'temperature',
  'maxTokens',
  'seed',
]);

export function storableFlags(flagValues: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(flagValues).filter(([name, value]) => value !== undefined && !unstoredFlags.has(name)),
  );
}

/** Batch statuses after which nothing changes; `completed`, `expired` and `cancelled` may carry partial output. */
export const finishedStatuses: ReadonlySet<string> = new Set(['completed', 'expired', 'cancelled', 'failed']);

export const filesToSubmit = (state: BatchState): RequestFile[] =>
  state.files.filter((file) => file.submission === null && file.requests > 0);

export const filesAwaitingCollection = (state: BatchState): RequestFile[] =>
  state.files.filter((file) => file.submission !== null && !file.collected);

export const nextFileNumber = (state: BatchState): number => state.files.length + 1;
