/**
 * Loopback test servers a test file never has to close itself: call `useTestServers()` once at the file's
 * top level. Each server is closed when its test ends, or, with `closeAfter: 'all'`, once all of the file's
 * tests are done: for a file whose tests run concurrently, where closing at the end of one test would take a
 * server from another. `defaults` are the options every server starts with; a test's own options win.
 */
import { afterAll, afterEach } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from './openai-test-server.js';

export type StartTestServer = (options?: TestServerOptions) => Promise<TestServer>;

export function useTestServers(defaults: TestServerOptions = {}, closeAfter: 'each' | 'all' = 'each'): StartTestServer {
  const open = new Set<TestServer>();
  (closeAfter === 'each' ? afterEach : afterAll)(async () => {
    await Promise.all([...open].map((server) => server.close()));
  });
  return async (options) => {
    const started = await startTestServer({ ...defaults, ...options });
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

/** A base URL where nothing listens: a server started and closed again. */
export async function closedPortUrl(): Promise<string> {
  const server = await startTestServer();
  await server.close();
  return server.url;
}
