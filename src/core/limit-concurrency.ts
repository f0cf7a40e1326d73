/**
 * A counting semaphore whose limit can move (adaptive concurrency under throttling), and a ChatClient
 * decorator that holds every request to it. Concurrency lives here and in the runner, never in strategies.
 */
import type { ChatClient } from './chat-client.js';

export class Semaphore {
  #limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  get limit(): number {
    return this.#limit;
  }

  get active(): number {
    return this.#active;
  }

  setLimit(limit: number): void {
    this.#limit = Math.max(1, limit);
    this.#drain();
  }

  async acquire(): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    this.#active--;
    this.#drain();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#waiting.length > 0) {
      this.#active++;
      this.#waiting.shift()!();
    }
  }
}

export function limitConcurrency(client: ChatClient, semaphore: Semaphore): ChatClient {
  return {
    model: client.model,
    chat: (request, signal) => semaphore.run(() => client.chat(request, signal)),
    embed: (texts, signal, model) => semaphore.run(() => client.embed(texts, signal, model)),
  };
}
