/** `promptlab eval --init [FILE]`: a commented starting eval file, never written over an existing one. */
import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { evalFileNames } from '../run/eval-file.js';
import type { Io } from '../run/io.js';

/** Valid as it stands (a test parses it); the commented lines show the rest. */
export const evalFileTemplate = `# An evaluation in one file: run it with \`promptlab eval\` (this file is found upward from the
# working directory) or \`promptlab eval FILE\`. A flag on the command line beats what is written here.
# Paths are relative to this file; every key is checked, so a typo is an error that names it.

# The records: JSONL (or CSV), each with the template's variables and "expected".
dataset:
  file: data/evals.jsonl
  answer: number              # number | choice | yesno | text | regex:PATTERN
  match: numeric              # exact | numeric | normalized
  # normalize: [remove-punctuation]   # text answers: lowercase, strip-quotes, remove-whitespace, remove-punctuation, remove-articles

# The template every strategy renders: prompts/NAME.prompt beside this file, a shipped one, or a path.
template: math
# system: You are a careful assistant.

# The models, each a column of the matrix: MODEL, or ENDPOINT:MODEL for a named endpoint of
# promptlab.config.yaml. Left out, the configured model runs (-m, PROMPTLAB_MODEL, the config file).
# models: [gpt-4o-mini, local:llama3.1]

# The strategies. An entry with options of its own and a name is a variant, compared like any other.
strategies:
  - zero-shot
  - cot
  - strategy: cot
    name: cot-plan
    trigger: "Let's first understand the problem and devise a plan to solve it. Then, let's carry out the plan and solve the problem step by step."
  # - strategy: self-consistency
  #   name: sc-10
  #   samples: 10

# The cell every other is paired with (default: the first model and the first strategy).
# baselineStrategy: zero-shot
# baselineModel: gpt-4o-mini

# CI gates: exit 4 when one fails.
gates:
  maxErrors: 0                # errored records tolerated per cell: N or "P%"
  # failUnder: 0.7            # or per cell: { cot-plan: 0.8, gpt-4o-mini/zero-shot: 0.6 }
  # baseline: reports/last.json   # a previous --json report: exit 4 on a significant regression

# What to write, several at once; an output without a path goes to stdout (one at most).
outputs:
  - format: table
  # - path: reports/eval.json   # the format follows the extension: .json .jsonl .md .xml .html
  # - path: reports/eval.html

concurrency: 8
# cache: true                 # or a directory: a rerun replays the answers it already has
`;

export async function writeEvalTemplate(file: string | undefined, io: Io): Promise<void> {
  const path = file ?? evalFileNames[0];
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // 'wx': created here or not at all; an existing file is never written over.
    handle = await open(path, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`eval --init: ${path} already exists; it was left as it is`);
    throw new UsageError(`eval --init: cannot write ${path} (${code ?? String(error)})`);
  }
  try {
    await handle.writeFile(evalFileTemplate);
  } finally {
    await handle.close();
  }
  io.stderr.write(`wrote ${path}: edit the dataset, models and strategies, then run promptlab eval\n`);
}
