/** The demo's compare command, shared by `npm run demo` (replay) and `npm run demo:record`. */
export const demoArguments = [
  'compare',
  '--dataset',
  'fixtures/arithmetic.jsonl',
  '--template',
  'math',
  '--strategies',
  'zero-shot,few-shot,in-context,cot,self-consistency',
  '--examples',
  'fixtures/examples.jsonl',
  '--pool',
  'fixtures/pool.jsonl',
  '--shots',
  '4',
  '--samples',
  '10',
  '--seed',
  '1',
  '--model',
  'demo-model',
  '--format',
  'table',
];

/** Short flags of the demo's arguments, so `npm run demo -- -m llama3.1` replaces `--model demo-model`. */
const longForm = { '-m': '--model', '-d': '--dataset', '-t': '--template', '-o': '--output' };

/**
 * The demo's arguments with `extra` after them; a flag `extra` gives replaces the demo's own (promptlab
 * refuses a flag given twice), e.g. `npm run demo -- --format html -o report.html`.
 */
export function demoArgumentsWith(extra) {
  const flagOf = (arg) => {
    const flag = arg.startsWith('-') ? arg.split('=')[0] : null;
    return flag === null ? null : (longForm[flag] ?? flag);
  };
  const given = new Set(extra.map(flagOf).filter((flag) => flag !== null));
  const kept = [];
  for (let index = 0; index < demoArguments.length; index++) {
    const arg = demoArguments[index];
    if (given.has(flagOf(arg))) {
      index++; // and its value
      continue;
    }
    kept.push(arg);
  }
  return [...kept, ...extra];
}
