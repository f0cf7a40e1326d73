/**
 * The command line: builds the commander program from the strategy registry and maps typed errors to
 * exit codes — the one place that does. Command actions import their modules lazily so `--help` and
 * `--version` load nothing heavy.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { exitCodes, GateError, PromptlabError, UsageError } from '../errors.js';
import type { StrategyDefinition } from '../strategies/strategy.js';
import { strategies } from '../strategies/registry.js';
import { processIo, type Io } from '../run/io.js';
import { addAnswerRuleOptions, addOption, addRunOptions, addStrategyOptions } from './common-options.js';
import { stoppingOptions } from '../strategies/options.js';

function packageVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return packageJson.version;
}

/**
 * The commander program. When the command given (`argv[0]`) is a strategy, only that subcommand is built:
 * parsing it does not depend on the others, and building the few hundred options of all of them is time
 * spent before a run's first request.
 */
function buildProgram(invoked: string | undefined, io: Io): Command {
  const program = new Command('promptlab')
    .description(
      'Run prompting strategies against any OpenAI-compatible endpoint, with templates kept as files, and compare them on datasets.',
    )
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    // Set before the subcommands are made: each copies it. Commander's own error text spans lines
    // ("(Did you mean ...?)" on the next); reportError prints it as one.
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => undefined,
    });

  program.addHelpText(
    'after',
    [
      '',
      'Examples:',
      ...strategies.map((strategy) => `  $ ${strategy.example}`),
      '  $ promptlab compare -d fixtures/arithmetic.jsonl --strategies zero-shot,cot --fail-under 0.7',
      '  $ promptlab eval --init && promptlab eval',
      '  $ promptlab tune cot -d fixtures/arithmetic.jsonl --answer number --generate 4 --save tuned.prompt',
      '  $ promptlab score runs/cot.jsonl --answer number',
      '  $ promptlab report runs/compare.json -o report.html',
      '  $ promptlab models --base-url http://localhost:11434/v1',
      '  $ promptlab templates list',
      '  $ promptlab cache stats',
      '',
      'Endpoint: --base-url / OPENAI_BASE_URL, --api-key / OPENAI_API_KEY, --model / PROMPTLAB_MODEL, or promptlab.config.json|yaml.',
      'Exit codes: 0 done, 1 internal error, 2 bad input, 3 endpoint failed, 4 a gate failed, 130 interrupted.',
    ].join('\n'),
  );
  const strategyRun = strategies.find((strategy) => strategy.name === invoked);
  const built = buildCommands(program, io, strategyRun);
  refuseRepeats(built);
  return built;
}

/**
 * An option that takes one value, given twice (`-m a -m b`), would silently keep the last: refuse it.
 * Options that collect (--var, --from, ...) have parsers of their own and are left as they are.
 */
function refuseRepeats(command: Command): void {
  for (const option of command.options) {
    if (!(option.required || option.optional) || option.variadic || option.parseArg !== undefined) continue;
    let given = false;
    // The values are not repeated in the message: one of them may be an API key.
    const name = [option.short, option.long].filter(Boolean).join('/');
    option.argParser((value: string) => {
      if (given) throw new UsageError(`${name} given twice: give it once`);
      given = true;
      return value;
    });
  }
  for (const sub of command.commands) refuseRepeats(sub);
}

function buildCommands(program: Command, io: Io, strategyRun: StrategyDefinition | undefined): Command {
  for (const strategy of strategyRun === undefined ? strategies : [strategyRun]) {
    const command = program
      .command(strategy.name)
      .summary(strategy.summary)
      .description(`${strategy.summary}.`)
      .argument('[input]', 'the input text (or pipe it on stdin); fills the variable `input`')
      .addHelpText('after', `\nExample:\n  $ ${strategy.example}`);
    addRunOptions(command);
    addStrategyOptions(command, [strategy]);
    command.action(async (input: string | undefined, flagValues: Record<string, unknown>) => {
      const { runStrategyCommand } = await import('./run-strategy-command.js');
      await runStrategyCommand(strategy, input, flagValues, io);
    });
  }
  if (strategyRun !== undefined) return program;

  const compare = program
    .command('compare')
    .summary('run strategies × models over one dataset and compare them, with gates for CI')
    .description(
      'Run several strategies (and models) over one dataset, score them, and compare each cell with the baseline (paired exact McNemar test).',
    )
    .option(
      '--strategies <list>',
      `comma-separated strategies (default: all: ${strategies.map((strategy) => strategy.name).join(',')})`,
    );
  addMatrixOptions(compare).addHelpText(
    'after',
    '\nExamples:\n  $ promptlab compare -d fixtures/arithmetic.jsonl --strategies zero-shot,cot --fail-under 0.7 --format markdown\n  $ promptlab compare -d fixtures/arithmetic.jsonl --strategies zero-shot,cot --models gpt-4o-mini,local:llama3.1 --dry-run',
  );
  compare.action(async (flagValues: Record<string, unknown>) =>
    (await import('./compare-command.js')).compareCommand(flagValues, io),
  );

  const evaluation = program
    .command('eval')
    .summary(
      'run the evaluation an eval file declares (promptlab.eval.yaml): dataset, models, strategies, gates, outputs',
    )
    .description(
      'Run the evaluation declared in an eval file (default: promptlab.eval.yaml, found upward): the matrix of models × strategies and their variants, scored, gated and written as compare does. Flags beat the file.',
    )
    .argument('[file]', 'the eval file (default: the nearest promptlab.eval.yaml)')
    .option('--init', 'write a commented starting file (FILE, or promptlab.eval.yaml here); never overwrites')
    .option('--strategies <list>', "the file's entries to run, by variant name or strategy (default: all)");
  addMatrixOptions(evaluation).addHelpText(
    'after',
    '\nExamples:\n  $ promptlab eval --init && promptlab eval\n  $ promptlab eval evals/arithmetic.yaml --models gpt-4o-mini --dry-run',
  );
  evaluation.action(async (file: string | undefined, flagValues: Record<string, unknown>) =>
    (await import('./eval-command.js')).evalCommand(file, flagValues, io),
  );

  const tune = program
    .command('tune')
    .summary('search candidate prompts on a dev split within a budget, then test the winner on data it never saw')
    .description(
      'Search candidate prompts (triggers, system instructions, templates, demonstration sets, model-proposed instructions) on the dev part of a dataset by successive halving within a request budget, then run the best and the baseline once on the test part: accuracy with 95% intervals and the paired exact McNemar test.',
    )
    .argument('<strategy>', `the strategy to tune: ${strategies.map((strategy) => strategy.name).join(', ')}`)
    .option('--triggers <file>', 'chain-of-thought triggers to try, one per line (cot, self-consistency)')
    .option('--systems <file>', 'system instructions to try, one per paragraph (blank lines between)')
    .option('--templates <list>', 'templates to try: comma-separated names or paths')
    .option('--shots <list>', 'demonstration counts to try, e.g. 0,2,4,8 (sets drawn from --examples)')
    .option('--demo-sets <k>', 'seeded random demonstration sets per shot count (default 1)')
    .option('--generate <k>', 'the model proposes K instructions (triggers for cot) from dev examples (APE)')
    .option('--rounds <r>', 'then R rounds of K paraphrases of the best so far (needs --generate)')
    .option('--budget <n>', 'requests the search may spend (default: half of every candidate on all of dev)')
    .option('--search <how>', 'halving (successive halving) | exhaustive (every candidate on all of dev)')
    .option('--split <f>', 'share of the dataset the search sees (dev); the rest tests the winner (default 0.5)')
    .option('--max-candidates <n>', 'most candidates the axes may make together (default 64)')
    .option('--save <file.prompt>', 'write the winner as a template that `promptlab <strategy> -t FILE` runs')
    .option('--fail-under <x>', "exit 4 when the winner's test accuracy is below X (0..1)")
    .option('--alpha <p>', 'significance level of the test verdict (default 0.05)')
    .addHelpText(
      'after',
      '\nExample:\n  $ promptlab tune cot -d data.jsonl --answer number --triggers triggers.txt --generate 4 --save tuned.prompt',
    );
  addRunOptions(tune);
  // tune's --shots is a list of counts to try; the baseline keeps the strategy's own default.
  addStrategyOptions(tune, strategies, ['--shots <k>']);
  tune.action(async (strategy: string, flagValues: Record<string, unknown>) =>
    (await import('./tune-command.js')).tuneCommand(strategy, flagValues, io),
  );

  const score = program
    .command('score')
    .summary('score recorded outputs (no model call): extraction, voting, simulated early stopping')
    .description(
      'Re-score recorded outputs: promptlab result files (compare output: one summary per strategy), or JSONL with "expected" and "completion" or "completions", or the fields --expected-field and --completions-field name.',
    )
    .argument('[file]', 'JSONL of recorded outputs (default: stdin)')
    .option('--answer <type>', 'answer type: number | choice | yesno | text | regex:PATTERN', 'text')
    .option('--pick <which>', 'first | last candidate in each completion', 'last')
    .option('--match <mode>', 'exact | numeric | normalized', 'normalized');
  addAnswerRuleOptions(score)
    .option('--max-samples <k>', 'use only the first K recorded samples')
    .option(
      '--expected-field <name>',
      "the field that holds the expected answer, for another tool's records (default: expected)",
    )
    .option(
      '--completions-field <name>',
      'the field that holds the completion (a string) or the samples (a list) (default: completion or completions)',
    )
    .option('--id-field <name>', 'the field that holds the record id (default: id, else the line number)');
  // The stopping rules self-consistency uses live, replayed here over the recorded order.
  for (const option of Object.values(stoppingOptions)) addOption(score, option);
  score
    .option('--json', 'print the summary as JSON')
    .option('--jsonl', 'print each re-scored record, then the summary, as JSON lines')
    .option('-o, --output <file>', 'write the summary to FILE')
    .option('-q, --quiet', 'no notes on stderr')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ promptlab score runs/cot.jsonl --answer number --match numeric --stop esc --window 5',
        '  $ promptlab score runs/compare.jsonl --answer number        # one summary per strategy',
        '  $ promptlab score esc.jsonl --answer number --expected-field answer --completions-field generated_answer',
      ].join('\n'),
    )
    .action(async (file: string | undefined, flagValues: Record<string, unknown>) =>
      (await import('./score-command.js')).scoreCommand(file, flagValues, io),
    );

  program
    .command('report')
    .summary('write a self-contained HTML report (matrix, charts, records) from saved results')
    .description(
      'Write one self-contained HTML file (no network; opens from disk) from a saved compare or run output: --json documents, or --jsonl result and summary lines.',
    )
    .argument('<file>', 'saved results: compare --json / --jsonl, or a strategy run --json / --jsonl')
    .option('-o, --output <file>', 'the HTML file to write (default: stdout, when it is not a terminal)')
    .option('--price <model=in,out>', priceHelp, collect)
    .option(
      '--answer <type>',
      'answer type the run used, to re-vote fewer samples: number | choice | yesno | text | regex:PATTERN',
      'text',
    )
    .option('--match <mode>', 'exact | numeric | normalized, as the run matched answers', 'normalized')
    .option('-q, --quiet', 'no notes on stderr')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText(
      'after',
      '\nExample:\n  $ promptlab report runs/compare.jsonl --price gpt-4o-mini=0.15,0.6 -o report.html',
    )
    .action(async (file: string, flagValues: Record<string, unknown>) =>
      (await import('./report-command.js')).reportCommand(file, flagValues, io),
    );

  program
    .command('models')
    .summary("list the endpoint's models (GET /v1/models)")
    .description('List the models the endpoint serves (GET /v1/models): a table on a terminal, JSON otherwise.')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (env OPENAI_BASE_URL)')
    .option('--api-key <key>', 'API key (env OPENAI_API_KEY; local servers need none)')
    .option('--endpoint <name>', 'a named endpoint from promptlab.config.json|yaml')
    .option('--timeout <seconds>', 'per-request timeout (default 300)')
    .option('--retries <n>', 'retries, done by the openai SDK (default 2)')
    .option('--json', 'print JSON')
    .option('-q, --quiet', 'no notes on stderr')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', '\nExample:\n  $ promptlab models --base-url http://localhost:11434/v1')
    .action(async (flagValues: Record<string, unknown>) =>
      (await import('./models-command.js')).modelsCommand(flagValues, io),
    );

  // batch: a strategy run through the OpenAI Batch API or `vllm run-batch` (src/batch, src/cli/batch-command.ts).
  const batch = program
    .command('batch')
    .summary('run a strategy through the OpenAI Batch API or vllm run-batch, phase by phase')
    .description(
      'Prepare the requests a strategy would make as Batch API files, submit them, and collect the results: the same result records as an interactive run.',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ promptlab batch prepare cot -d data.jsonl -m gpt-4o-mini -o runs/cot && promptlab batch submit runs/cot\n  $ promptlab batch status runs/cot && promptlab batch collect runs/cot --jsonl -o cot.jsonl',
    );
  const batchAction =
    (name: keyof typeof import('./batch-command.js')) => async (target: string, flagValues: Record<string, unknown>) =>
      (await import('./batch-command.js'))[name](target, flagValues, io);
  const prepare = batch
    .command('prepare')
    .description(
      'write the requests a strategy would make as Batch JSONL files plus a manifest (sends nothing); given a batch DIR, prepare its next phase',
    )
    .argument(
      '<strategy|dir>',
      `a strategy (${strategies.map((strategy) => strategy.name).join(', ')}) for a new batch in -o DIR, or a batch DIR for its next phase`,
    )
    .option('--max-requests-per-file <n>', 'requests per file (default 50000, the OpenAI Batch API limit)')
    .option('--max-file-bytes <n>', 'bytes per file (default 200000000, the OpenAI Batch API limit)')
    .addHelpText(
      'after',
      '\nExample:\n  $ promptlab batch prepare self-consistency --samples 10 -t math -d fixtures/arithmetic.jsonl -m gpt-4o-mini -o runs/sc',
    );
  addRunOptions(prepare);
  prepare.options.find((option) => option.long === '--output')!.description =
    'the batch directory to create (request files, manifest, batch.json)';
  addStrategyOptions(prepare, strategies);
  prepare.action(batchAction('batchPrepareCommand'));
  for (const [name, description, action, example] of [
    [
      'submit',
      'upload each request file (/v1/files) and create a batch for it (/v1/batches)',
      'batchSubmitCommand',
      'promptlab batch submit runs/cot',
    ],
    [
      'status',
      'show each batch and its request counts (JSON when piped)',
      'batchStatusCommand',
      'promptlab batch status runs/cot',
    ],
    [
      'collect',
      'read finished batches (or --from output files), then print the result records like an interactive run',
      'batchCollectCommand',
      'promptlab batch collect runs/cot --from vllm-out.jsonl --jsonl',
    ],
    [
      'resubmit',
      'send only the failed requests again, as a new request file and batch',
      'batchResubmitCommand',
      'promptlab batch resubmit runs/cot',
    ],
    [
      'cancel',
      'cancel the batches still running (collect reads their partial output)',
      'batchCancelCommand',
      'promptlab batch cancel runs/cot',
    ],
  ] as const) {
    const sub = batch
      .command(name)
      .description(description)
      .argument('<dir>', 'the batch directory made by batch prepare')
      .addHelpText('after', `\nExample:\n  $ ${example}`)
      .option(
        '--base-url <url>',
        "Batch API endpoint (default: where this directory's batches went, else OPENAI_BASE_URL)",
      )
      .option('--api-key <key>', 'API key (env OPENAI_API_KEY)')
      .option('--endpoint <name>', 'a named endpoint from promptlab.config.json|yaml')
      .option('--timeout <seconds>', 'per-request timeout')
      .option('--retries <n>', 'retries per request')
      .option('--json', 'print JSON')
      .option('-q, --quiet', 'no notes on stderr')
      .option('--debug', 'show stack traces of internal errors');
    if (name === 'collect') {
      sub
        .option(
          '--from <file>',
          'an output file made elsewhere, e.g. by vllm run-batch (repeatable)',
          (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
        )
        .option('--jsonl', 'print one JSON line per record')
        .option('-o, --output <file>', 'write the results to FILE')
        .option('--verbose', 'show reasoning, votes and usage in the terminal view');
    }
    if (name === 'resubmit') sub.option('--no-submit', 'only write the request file (for vllm run-batch)');
    sub.action(batchAction(action));
  }

  const cache = program
    .command('cache')
    .summary('inspect or clear the response cache')
    .description('Inspect or clear the response cache.');
  cache
    .command('stats')
    .description('entries and bytes in the cache')
    .option('--cache <dir>', 'cache directory (default under PROMPTLAB_HOME)')
    .action(async (flagValues: Record<string, unknown>) =>
      (await import('./cache-command.js')).cacheStatsCommand(flagValues, io),
    );
  cache
    .command('clear')
    .description('delete every cached response')
    .option('--cache <dir>', 'cache directory (default under PROMPTLAB_HOME)')
    .action(async (flagValues: Record<string, unknown>) =>
      (await import('./cache-command.js')).cacheClearCommand(flagValues, io),
    );
  cache.addHelpText('after', '\nExample:\n  $ promptlab cache stats');

  const templates = program
    .command('templates')
    .summary('list, show or render prompt templates')
    .description('List, show or render prompt templates (no model is called).');
  templates
    .command('list')
    .description('list the templates in ./prompts/ and the ones that ship with promptlab')
    .option('--json', 'print JSON')
    .action(async (flagValues: Record<string, unknown>) =>
      (await import('./templates-command.js')).listTemplatesCommand(flagValues, io),
    );
  templates
    .command('show')
    .description('print a template file')
    .argument('<name>', 'template name or path')
    .action(async (name: string) => (await import('./templates-command.js')).showTemplateCommand(name, io));
  templates
    .command('render')
    .description('print the messages a template renders to (no call)')
    .argument('<name>', 'template name or path')
    .argument('[input]', 'the input text (fills `input`)')
    .option(
      '--var <key=value>',
      'set a template variable (repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--vars <json>', 'template variables as JSON, or @file.json')
    .option('--json', 'print JSON')
    .action(async (name: string, input: string | undefined, flagValues: Record<string, unknown>) =>
      (await import('./templates-command.js')).renderTemplateCommand(name, input, flagValues, io),
    );
  templates.addHelpText('after', '\nExample:\n  $ promptlab templates render math "What is 6 times 7?"');

  return program;
}

/** What compare and eval share: models, the baseline, gates, formats, prices, and every run and strategy flag. */
function addMatrixOptions(command: Command): Command {
  command
    .option(
      '--models <list>',
      'comma-separated models, each a column of the matrix: MODEL, or ENDPOINT:MODEL for a named endpoint of promptlab.config.json|yaml',
    )
    .option('--baseline-strategy <name>', 'the strategy (or variant) the others are compared with (default: the first)')
    .option('--baseline-model <name>', 'the model of the baseline cell (default: the first of --models)')
    .option(
      '--fail-under <x>',
      'exit 4 when accuracy is below X (0..1), or name=X,... per strategy, variant or model/name',
    )
    .option('--baseline <file>', 'a previous `compare --json` report: exit 4 on a significant regression')
    .option('--alpha <p>', 'significance level for the tests (default 0.05)')
    .option(
      '--format <format>',
      'table | json | jsonl | markdown | junit | html (default: table on a terminal, json otherwise)',
    )
    .option('--price <model=in,out>', priceHelp, collect);
  addRunOptions(command);
  command.options.find((option) => option.long === '--dry-run')!.description =
    'print the matrix, what it would send and an estimate of requests and prompt tokens; call nothing';
  // A second -m would silently replace the first: several models are --models a,b.
  command.options
    .find((option) => option.long === '--model')!
    .argParser((value: string, previous: string | undefined) => {
      if (previous !== undefined)
        throw new UsageError(`-m takes one model; compare several with --models ${previous},${value}`);
      return value;
    });
  addStrategyOptions(command, strategies);
  return command;
}

const priceHelp =
  "USD per million input and output tokens of MODEL, for the HTML report's cost axis (repeatable; beats prices: in the config file)";

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * Runs the CLI over `io` (the process's environment and streams unless given others, as tests do) and
 * returns the exit code: it never calls process.exit, so output is flushed, and the caller decides.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram(argv[0], io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (isHelpOrVersion(error)) return 0;
    // The redactor loads only when there is an error to report: --help and --version stay light.
    const { redactSecrets } = await import('../core/redact.js');
    return reportError(error, {
      debug,
      stderr: io.stderr,
      redact: (text) => redactSecrets(text, secretsOf(argv, io.env)),
    });
  }
}

interface ReportOptions {
  debug: boolean;
  stderr: NodeJS.WritableStream;
  /** Takes out every secret the run knows of, whatever an error message holds (defense in depth: none should). */
  redact(text: string): string;
}

function reportError(error: unknown, { debug, stderr, redact }: ReportOptions): number {
  const print = (text: string) => stderr.write(`${redact(text)}\n`);
  if (error instanceof CommanderError) {
    print(`promptlab: ${commanderMessage(error)}`);
    return 2;
  }
  if (error instanceof PromptlabError) {
    if (error instanceof GateError) for (const line of error.more) print(`promptlab: ${oneLine(line)}`);
    print(`promptlab: ${oneLine(error.message)}`);
    if (debug && error.stack) print(error.stack);
    return exitCodes[error.code];
  }
  const message = error instanceof Error ? error.message : String(error);
  print(`promptlab: internal error: ${firstLine(message)} (this is a bug; rerun with --debug for the stack)`);
  if (debug && error instanceof Error && error.stack) print(error.stack);
  return 1;
}

/** Help and version end in a CommanderError under exitOverride; they are successes. */
const isHelpOrVersion = (error: unknown): boolean =>
  error instanceof CommanderError &&
  (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help');

/** "error: unknown option '--x=value'\n(Did you mean --y?)" → "unknown option '--x' (did you mean --y?)". */
function commanderMessage(error: CommanderError): string {
  return (
    oneLine(error.message.replace(/^error: /, ''))
      .replace(/\(Did you mean/, '(did you mean')
      // The value of an unknown option is not needed to name it, and may be a key passed under a misspelt flag.
      .replace(/^(unknown option '[^'=]*)=[^']*'/, "$1'")
  );
}

/** The API key as given on the command line or in the environment (OPENAI_API_KEY, or any *_API_KEY a config may name). */
export function secretsOf(argv: readonly string[], env: Record<string, string | undefined>): string[] {
  const secrets: string[] = [];
  argv.forEach((argument, index) => {
    if (argument === '--api-key' && index + 1 < argv.length) secrets.push(argv[index + 1]!);
    else if (argument.startsWith('--api-key=')) secrets.push(argument.slice('--api-key='.length));
  });
  for (const [name, value] of Object.entries(env))
    if (/API_KEY$/i.test(name) && value !== undefined) secrets.push(value);
  // Very short values would redact ordinary words; real keys are long.
  return secrets.filter((secret) => secret.length >= 8);
}

const oneLine = (text: string): string => text.trim().replace(/\s*\n\s*/g, ' ');
const firstLine = (text: string): string => text.split('\n')[0] ?? '';
