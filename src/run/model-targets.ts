/**
 * The models a run calls (`compare --models a,b,ENDPOINT:c`, an eval file's `models:`) and their clients:
 * one client per model, and per endpoint one concurrency limit and one throttling controller, so two
 * servers compared side by side are each kept as busy as `-c` allows and slowed down on their own.
 */
import type { AdaptiveConcurrency, ThrottleReport } from '../core/adaptive-concurrency.js';
import type { ChatClient } from '../core/chat-client.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { UsageError } from '../errors.js';
import type { ThrottleListener } from './notices.js';
import { createEndpointClients, resolveRunConfig } from './run-setup.js';

/** A model as a run names it, and where it is served. */
export interface ModelTarget {
  /** How results, summaries and --fail-under name it: `MODEL`, or `ENDPOINT:MODEL`. */
  label: string;
  /** The name sent to the endpoint. */
  model: string;
  /** A named endpoint of the config file; null for the run's own endpoint (flags, environment, config). */
  endpoint: string | null;
}

/** The config file's named endpoints, as far as a model list needs them. */
export type NamedEndpoints = Readonly<Record<string, { model?: string | undefined }>>;

/**
 * `a,b,ENDPOINT:c`. `X:Y` is endpoint X's model Y when the config file names an endpoint X, and otherwise
 * one model whose name holds a colon (Ollama's `llama3.1:8b`); `ENDPOINT:` alone is the endpoint's own
 * model. `label` names the setting in errors (`--models`, or the eval file's key).
 */
export function parseModelList(entries: readonly string[], endpoints: NamedEndpoints, label: string): ModelTarget[] {
  const targets = entries
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => modelTarget(entry, endpoints, label));
  if (targets.length === 0) throw new UsageError(`${label}: name at least one model`);
  const labels = targets.map((target) => target.label);
  const duplicate = labels.find((name, index) => labels.indexOf(name) !== index);
  if (duplicate !== undefined) throw new UsageError(`${label}: "${duplicate}" is listed twice`);
  return targets;
}

function modelTarget(entry: string, endpoints: NamedEndpoints, label: string): ModelTarget {
  const colon = entry.indexOf(':');
  const endpoint = colon === -1 ? undefined : entry.slice(0, colon);
  if (endpoint === undefined || !Object.hasOwn(endpoints, endpoint))
    return { label: entry, model: entry, endpoint: null };
  const model = entry.slice(colon + 1).trim() || endpoints[endpoint]!.model;
  if (model === undefined)
    throw new UsageError(`${label}: endpoint "${endpoint}" has no model in the config file; write ${endpoint}:MODEL`);
  return { label: `${endpoint}:${model}`, model, endpoint };
}

/** What a run needs of its targets' clients. */
export interface TargetClients {
  clientOf(label: string): ChatClient;
  /** Throttling over every endpoint called: events summed, the lowest limit any of them went down to. */
  throttling: { report(): ThrottleReport; concurrency: number };
  /** HTTP requests in flight across the endpoints (each has its own -c). */
  concurrency: number;
  /** The endpoints called, for "no record got an answer". */
  label: string;
}

/**
 * One client per target. Targets of the run's own endpoint use `config` (the command's resolved
 * settings); a named endpoint's use that endpoint's base URL and key (never --base-url or --api-key, which
 * are the run's own endpoint's) and the run's other settings.
 */
export async function createTargetClients(
  targets: readonly ModelTarget[],
  config: ResolvedConfig,
  flagValues: Record<string, unknown>,
  env: Record<string, string | undefined>,
  onThrottle: ThrottleListener,
  replay: boolean,
): Promise<TargetClients> {
  const clients = new Map<string, ChatClient>();
  const endpoints: Array<{ config: ResolvedConfig; throttling: AdaptiveConcurrency }> = [];
  const byEndpoint = new Map<string | null, ModelTarget[]>();
  for (const target of targets) byEndpoint.set(target.endpoint, [...(byEndpoint.get(target.endpoint) ?? []), target]);
  for (const [endpoint, served] of byEndpoint) {
    const endpointConfig =
      endpoint === null
        ? config
        : await resolveRunConfig(
            { ...flagValues, endpoint, baseUrl: undefined, apiKey: undefined, model: undefined },
            env,
          );
    const made = await createEndpointClients(
      endpointConfig,
      served.map((target) => ({ model: target.model, cacheAs: target.label })),
      onThrottle,
      replay,
    );
    for (const [index, target] of served.entries()) clients.set(target.label, made.clients[index]!);
    endpoints.push({ config: endpointConfig, throttling: made.throttling });
  }
  return {
    clientOf: (label) => clients.get(label)!,
    throttling: {
      report: () => {
        const reports = endpoints.map((endpoint) => endpoint.throttling.report());
        return {
          throttled: reports.reduce((sum, report) => sum + report.throttled, 0),
          minConcurrency: Math.min(...reports.map((report) => report.minConcurrency)),
        };
      },
      concurrency: config.concurrency,
    },
    concurrency: endpoints.reduce((sum, endpoint) => sum + endpoint.config.concurrency, 0),
    label: [...new Set(endpoints.map((endpoint) => endpoint.config.baseUrl))].join(', '),
  };
}
