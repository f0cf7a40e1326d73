/**
 * Counts the calls made through a client, whether the cache answers them or the endpoint: what tune's
 * request budget reckons in, so a rerun from the cache walks the same search as the run that paid.
 */
import type { ChatClient } from '../core/chat-client.js';

export function countingCalls(client: ChatClient): { client: ChatClient; calls(): number } {
  let calls = 0;
  return {
    client: {
      model: client.model,
      chat: (request, signal) => {
        calls++;
        return client.chat(request, signal);
      },
      embed: (texts, signal, model) => {
        calls++;
        return client.embed(texts, signal, model);
      },
    },
    calls: () => calls,
  };
}
