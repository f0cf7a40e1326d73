/**
 * The bare worker pools `npm run bench` compares the CLI with: C workers sending the same chat bodies
 * the CLI sends, one after another, `passes` times over the dataset (like compare's jobs per record).
 */
import { readFileSync } from 'node:fs';

export async function runPool(datasetPath, concurrency, passes, request) {
  const inputs = readFileSync(datasetPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).input);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length * passes) {
      const input = inputs[next++ % inputs.length];
      await request({ model: 'bench', messages: [{ role: 'user', content: input }], temperature: 0 });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** `node <pool> URL DATASET C PASSES`: the pool's arguments as a child gets them. */
export const poolArguments = (argv) => ({
  url: argv[0],
  datasetPath: argv[1],
  concurrency: Number(argv[2]),
  passes: Number(argv[3] ?? 1),
});
