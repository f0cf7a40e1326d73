/**
 * The manifest: one line per batch request, mapping its `custom_id` back to the record, strategy,
 * phase and samples it stands for, with the cache key of each sample, so `collect` stores every
 * returned choice under exactly the key the replayed strategy will look up. Pure: parse and build.
 */
import { z } from 'zod';
import type { ChatRequest } from '../core/chat-client.js';
import { cacheKey } from '../core/cached-client.js';

export const manifestEntrySchema = z.object({
  /** The cache key of the request's first sample. */
  customId: z.string().min(1),
  phase: z.number().int().positive(),
  /** The requests file the line went into (a resubmission adds another file, not another entry). */
  file: z.string(),
  /** The record that first needed this request (identical requests of other records share it). */
  recordId: z.string(),
  strategy: z.string(),
  firstSample: z.number().int().nonnegative(),
  n: z.number().int().positive(),
  /** Cache key of sample firstSample + i, for each i < n. */
  sampleKeys: z.array(z.string()).min(1),
});

export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

/**
 * The first sample's key names the request: collect can then find its answer, or its failure, by key.
 * A sha256 in hex is 64 characters, within the 64-character custom_id limit some compatible batch
 * services enforce (OpenAI documents none).
 */
export function requestIdentity(
  model: string,
  request: ChatRequest,
): { customId: string; firstSample: number; n: number; sampleKeys: string[] } {
  const firstSample = request.sampleIndex ?? 0;
  const n = request.n ?? 1;
  const sampleKeys = Array.from({ length: n }, (_, offset) => cacheKey(model, request, firstSample + offset));
  return { customId: sampleKeys[0]!, firstSample, n, sampleKeys };
}

export function parseManifestLine(value: unknown, where: string): ManifestEntry | Error {
  const parsed = manifestEntrySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return new Error(
    `${where}: not a manifest entry (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'unexpected shape'})`,
  );
}
