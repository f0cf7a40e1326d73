/**
 * Flags every strategy command (and compare) takes. Declared here once; the names are a contract
 * (DESIGN.md). Values stay raw strings: they are validated where they are used, with messages naming
 * the flag.
 */
import { Option, type Command } from 'commander';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function addRunOptions(command: Command): Command {
  return command
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
    .option('-c, --concurrency <n>', 'requests in flight at once (default 8)')
    .option('--timeout <seconds>', 'per-request timeout (default 300)')
    .option('--retries <n>', 'retries per request, done by the openai SDK (default 2)')
    .option('--max-retry-wait <seconds>', 'longest wait a Retry-After may impose (default 60)')
    .option('--answer <type>', 'answer type: number | choice | yesno | text | regex:PATTERN')
    .option('--pick <which>', 'which candidate to keep when the text holds several: first | last')
    .option('--match <mode>', 'scoring against expected: exact | numeric | normalized (default normalized)')
    .option(
      '--normalize <steps>',
      'text answer rule, steps applied in order: lowercase, strip-quotes, remove-whitespace, remove-punctuation, remove-articles (e.g. remove-whitespace,remove-punctuation)',
    )
    .option(
      '--extract-mode <mode>',
      'flexible: fall back to the answer type rule (default) | strict: only answers the reply states',
    )
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

export function addStrategyFlag(
  command: Command,
  flags: string,
  description: string,
  defaultValue?: string,
  repeatable?: boolean,
): void {
  // No commander default: strategies sharing a flag (`--shots`) differ in theirs, and apply them themselves.
  const option = new Option(
    flags,
    defaultValue === undefined ? description : `${description} (default: ${defaultValue})`,
  );
  if (repeatable) option.argParser(collect);
  command.addOption(option);
}
