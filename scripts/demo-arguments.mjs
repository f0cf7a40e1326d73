/** The demo's compare command, shared by `npm run demo` (replay) and `npm run demo:record`. */
export const demoArguments = [
  'compare',
  '--dataset', 'fixtures/arithmetic.jsonl',
  '--template', 'math',
  '--strategies', 'zero-shot,few-shot,in-context,cot,self-consistency',
  '--examples', 'fixtures/examples.jsonl',
  '--pool', 'fixtures/pool.jsonl',
  '--shots', '4',
  '--samples', '10',
  '--seed', '1',
  '--model', 'demo-model',
  '--format', 'table',
];
