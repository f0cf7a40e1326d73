/** Loopback test servers, each closed when its test ends: call once at a file's top level (not for concurrent tests). */
import { afterEach } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from './openai-test-server.js';

export type StartTestServer = (options?: TestServerOptions) => Promise<TestServer>;

export function useTestServers(): StartTestServer {
  const open = new Set<TestServer>();
  afterEach(async () => {
    await Promise.all([...open].map((server) => server.close()));
  });
  return async (options) => {
    const started = await startTestServer(options);
    // A test may close its server itself; closing it again would be an error.
    const server: TestServer = {
      ...started,
      close: async () => {
        if (open.delete(server)) await started.close();
      },
    };
    open.add(server);
    return server;
  };
}
