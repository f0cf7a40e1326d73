#!/usr/bin/env node
/**
 * The bare pool through the openai SDK, with the SDK's defaults: `node sdk-pool.mjs URL DATASET C PASSES`.
 * It is the floor for anything that calls through the SDK, as promptlab must. `npm run bench` bundles
 * it with rolldown first, as the build bundles the CLI, so both load their code the same way.
 */
import OpenAI from 'openai';
import { poolArguments, runPool } from './pool.mjs';

const { url, datasetPath, concurrency, passes } = poolArguments(process.argv.slice(2));
const sdk = new OpenAI({ baseURL: url, apiKey: 'bench', logLevel: 'off' });
await runPool(datasetPath, concurrency, passes, (body) => sdk.chat.completions.create(body));
