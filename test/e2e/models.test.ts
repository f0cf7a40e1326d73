/** `promptlab models` end to end: GET /v1/models through the SDK, JSON on a pipe, errors as one line. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noColors } from '../../src/render/colors.js';
import { renderModelList } from '../../src/render/model-list.js';
import { runCli } from '../support/run-cli.js';
import { useTempDirs } from '../support/temp-dir.js';
import { useTestServers } from '../support/test-servers.js';

const makeTempDir = useTempDirs();
const serve = useTestServers();

describe('promptlab models', () => {
  it('lists the endpoint’s models as JSON on a pipe, sorted, with owner and creation time', async () => {
    const server = await serve({ models: ['qwen2.5:7b', 'llama3.1:8b'] });
    const result = await runCli(['models', '--base-url', server.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      baseUrl: server.url,
      models: [
        { id: 'llama3.1:8b', ownedBy: 'promptlab-tests', created: '2023-11-15T22:13:20Z' },
        { id: 'qwen2.5:7b', ownedBy: 'promptlab-tests', created: '2023-11-14T22:13:20Z' },
      ],
    });
    expect(server.counts).toMatchObject({ models: 1, chat: 0, total: 1 });
  });

  it('asks a named endpoint of the config file, with its key', async () => {
    const server = await serve({ models: ['m'], apiKey: 'sk-endpoint-key-123' });
    const project = await makeTempDir('promptlab-models-');
    await writeFile(
      join(project, 'promptlab.config.json'),
      JSON.stringify({ endpoints: { local: { baseUrl: server.url, apiKeyEnv: 'LOCAL_KEY' } } }),
    );
    const result = await runCli(['models', '--endpoint', 'local', '--json'], {
      cwd: project,
      env: { LOCAL_KEY: 'sk-endpoint-key-123' },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).models.map((model: { id: string }) => model.id)).toEqual(['m']);
  });

  it('says in one line, without the key, when the key is refused (exit 3)', async () => {
    const server = await serve({ apiKey: 'the-right-key-000' });
    const result = await runCli(['models', '--base-url', server.url, '--api-key', 'a-wrong-key-1234']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^promptlab: http:\/\/127\.0\.0\.1:\d+\/v1 refused the API key \(401\) while listing models/,
    );
    expect(result.stderr).not.toContain('a-wrong-key-1234');
    expect(result.stdout).toBe('');
  });

  it('exits 3 naming the URL when nothing answers', async () => {
    const result = await runCli(['models', '--base-url', 'http://127.0.0.1:9/v1', '--retries', '0']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^promptlab: cannot reach http:\/\/127\.0\.0\.1:9\/v1 while listing models/);
  });

  it('shows a terminal table: model, owner, creation day', () => {
    expect(
      renderModelList(
        [
          { id: 'gpt-4o-mini', ownedBy: 'system', created: '2024-07-16T23:32:21Z' },
          { id: 'local-model', ownedBy: null, created: null },
        ],
        noColors,
      ),
    ).toBe(['model        owned by  created', 'gpt-4o-mini  system    2024-07-16', 'local-model'].join('\n'));
  });
});
