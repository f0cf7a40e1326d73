/**
 * `GET /v1/models` through the openai SDK: the models an endpoint serves. Servers differ in what they
 * say about each (OpenAI: `owned_by` and `created`; llama-server and Ollama: an id and little else), so
 * only the id is required and the rest is read when it is there. Failures become one-line EndpointErrors
 * naming the base URL and never the key, as every other call's do.
 */
import { createHttpFetch } from './http-fetch.js';
import { toEndpointError } from './openai-errors.js';
import { createSdk } from './openai-sdk.js';

export interface ListedModel {
  id: string;
  /** Who the endpoint says owns the model; null when it does not say. */
  ownedBy: string | null;
  /** When the model was created, as an ISO 8601 time; null when the endpoint does not say. */
  created: string | null;
}

export interface ListModelsOptions {
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
  maxRetries: number;
  /** Injectable for tests; by default the keep-alive node:http fetch every call uses. */
  fetch?: typeof fetch;
}

/** Every model the endpoint lists (all pages), sorted by id. */
export async function listModels(options: ListModelsOptions): Promise<ListedModel[]> {
  const sdk = createSdk({ ...options, fetch: options.fetch ?? createHttpFetch() });
  const listed: ListedModel[] = [];
  try {
    for await (const entry of sdk.models.list()) {
      const raw = entry as unknown as Record<string, unknown>;
      if (typeof raw.id !== 'string') continue;
      listed.push({
        id: raw.id,
        ownedBy: typeof raw.owned_by === 'string' && raw.owned_by !== '' ? raw.owned_by : null,
        created:
          typeof raw.created === 'number' && Number.isFinite(raw.created) && raw.created > 0
            ? new Date(raw.created * 1000).toISOString().replace('.000Z', 'Z')
            : null,
      });
    }
  } catch (error) {
    throw toEndpointError(error, {
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs,
      action: 'listing models',
      attempts: null,
      endpointAnswered: false,
      notFound: ': it lists no models at /models (check --base-url, usually ending in /v1)',
    });
  }
  return listed.sort((left, right) => left.id.localeCompare(right.id));
}
