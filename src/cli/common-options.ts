/**
 * Flags every strategy command (and compare) takes, declared here once, and the commander side of the
 * strategies' own options. The names are a contract (README, "Flag names"). Run flags stay raw strings,
 * validated where they are resolved (resolve-config.ts, run-setup.ts), with messages naming the flag.
 */
import { Option, type Command } from 'commander';
import { defaultHelp, type StrategyOption } from '../strategies/options.js';
import type { StrategyDefinition } from '../strategies/strategy.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function addRunOptions(command: Command): Command {
  command
    .option('-t, --template <name>', 'template name (./prompts/ first, then shipped) or path to a .prompt file')
    .option('--var <key=value>', 'set a template variable (repeatable)', collect)
    .option('--vars <json>', 'template variables as JSON, or @file.json')
    .option('-d, --dataset <file>', 'JSONL (or CSV) dataset, one record per line; - for stdin')
    .option('--json', 'print one JSON document')
    .option('--jsonl', 'print one JSON line per record as each finishes')
    .option('-o, --output <file>', 'write the results to FILE (JSONL when it ends in .jsonl or with --jsonl)')
    .option('-m, --model <name>', 'model name (env PROMPTLAB_MODEL)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (env OPENAI_BASE_URL)')
    .option('--api-key <key>', 'API key (env OPENAI_API_KEY; local servers need none)')
    .option('--endpoint <name>', 'a named endpoint from promptlab.config.json|yaml')
    .option('--temperature <t>', 'sampling temperature (default 0; 0.7 for self-consistency)')
    .option('--max-tokens <n>', 'completion token limit')
    .option('--seed <n>', 'seed for the endpoint and for random choices')
    .option('-c, --concurrency <n>', 'HTTP requests in flight at once (default 8); as many records are worked on')
    .option('--timeout <seconds>', 'per-request timeout (default 300)')
    .option('--retries <n>', 'retries per request, done by the openai SDK (default 2)')
    .option('--max-retry-wait <seconds>', 'longest wait a Retry-After may impose (default 60)')
    .option('--system <text>', "system instruction: replaces the template's system message, or comes first")
    .option('--answer <type>', 'answer type: number | choice | yesno | text | regex:PATTERN')
    .option('--pick <which>', 'which candidate to keep when the text holds several: first | last')
    .option('--match <mode>', 'scoring against expected: exact | numeric | normalized (default normalized)');
  return addAnswerRuleOptions(command)
    .option('--max-errors <n>', 'errored records tolerated before exit 4: N or P% (default 0)')
    .option(
      '--resume <file>',
      'continue a run from its -o FILE --jsonl results: skip records done without error, append the rest',
    )
    .option('--dry-run', 'print the messages that would be sent; call nothing')
    .option('--cache [dir]', 'cache responses (default dir under PROMPTLAB_HOME)')
    .option('--no-cache', 'do not cache, even if the config file says so')
    .option('--replay', 'answer only from the cache; a miss is an error')
    .option('--verbose', 'show reasoning, votes and usage in the terminal view')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .option('--debug', 'show stack traces of internal errors');
}

/**
 * How a completion's answer is read, beyond its type: the task's text rule and strict or flexible
 * extraction. Live runs, `batch prepare` and `score` take them alike (resolved in run-setup's withAnswerRules).
 */
export function addAnswerRuleOptions(command: Command): Command {
  return command
    .option(
      '--normalize <steps>',
      'text answer rule, steps applied in order: lowercase, strip-quotes, remove-whitespace, remove-punctuation, remove-articles (e.g. remove-whitespace,remove-punctuation)',
    )
    .option(
      '--extract-mode <mode>',
      'flexible: fall back to the answer type rule (default) | strict: only answers the reply states',
    );
}

/**
 * The options of these strategies (declared in src/strategies/options.ts), each flag once. With several
 * strategies each help line names the strategy that declared the flag first.
 */
export function addStrategyOptions(
  command: Command,
  definitions: readonly StrategyDefinition[],
  /** Flags the command declares itself, differently. */
  except: readonly string[] = [],
): void {
  const seen = new Set<string>(except);
  for (const definition of definitions) {
    for (const option of Object.values(definition.options)) {
      if (seen.has(option.flags)) continue;
      seen.add(option.flags);
      addOption(command, option, definitions.length > 1 ? `[${definition.name}]` : undefined);
    }
  }
}

/**
 * One declared option. No commander default: strategies sharing a flag (`--shots`) differ in theirs, so
 * parseOptions applies each strategy's own; help shows the declared default.
 */
export function addOption(command: Command, declared: StrategyOption<unknown>, tag?: string): void {
  const fallback = defaultHelp(declared);
  const described = tag === undefined ? declared.description : `${declared.description} ${tag}`;
  const option = new Option(declared.flags, fallback === undefined ? described : `${described} (default: ${fallback})`);
  if (declared.repeatable) option.argParser(collect);
  command.addOption(option);
}
