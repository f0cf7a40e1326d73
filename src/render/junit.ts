/**
 * `compare --format junit`: JUnit XML, so CI systems that already show test reports (GitHub, GitLab,
 * Jenkins) show each record × cell as a test case, one suite per cell (`promptlab.cot`, or
 * `promptlab.gpt-4o-mini/cot` when the run had several models).
 */
import { cellId, cellNamer, cellOf } from '../core/cells.js';
import type { CompareReport } from '../scoring/compare-report.js';
import type { ResultRecord } from '../core/records.js';

/**
 * Characters XML 1.0 forbids outright (most C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot be
 * escaped as entities, so they are written as visible `\uXXXX` text instead of being dropped.
 */
// eslint-disable-next-line no-control-regex
const forbiddenInXml =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // In attributes a raw newline or tab would be normalised to a space by the parser; keep them.
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

function replaceForbidden(text: string): string {
  return text.replace(forbiddenInXml, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text content: markup characters become entities; newlines stay as they are. */
export function escapeXmlText(text: string): string {
  return replaceForbidden(text).replace(/[&<>]/g, (char) => entities[char]!);
}

/** Attribute values (double-quoted): also quotes and whitespace that attribute normalisation would eat. */
export function escapeXmlAttribute(text: string): string {
  return replaceForbidden(text).replace(/[&<>"'\n\r\t]/g, (char) => entities[char]!);
}

const showAnswer = (answer: string | null): string => (answer === null ? 'no answer' : JSON.stringify(answer));

function showExpected(expected: ResultRecord['expected']): string {
  if (expected === null) return 'nothing';
  const options = Array.isArray(expected) ? expected : [expected];
  return options.map((option) => JSON.stringify(option)).join(' or ');
}

type CaseOutcome = 'passed' | 'failure' | 'error' | 'skipped';

/** An error wins over a wrong answer: the answer of a failed call says nothing about the strategy. */
function classify(result: ResultRecord): CaseOutcome {
  if (result.error !== null) return 'error';
  if (result.correct === false) return 'failure';
  if (result.correct === null) return 'skipped';
  return 'passed';
}

/** One `<testcase>` element for one result, indented for a `<testsuite>`; `cell` names its cell. */
export function junitCase(result: ResultRecord, cell: string = result.variant ?? result.strategy): string {
  const attributes =
    `name="${escapeXmlAttribute(result.id)}" classname="${escapeXmlAttribute(`promptlab.${cell}`)}" ` +
    `time="${(result.latencyMs / 1000).toFixed(3)}"`;
  const outcome = classify(result);
  if (outcome === 'passed') return `    <testcase ${attributes}/>`;
  let inner: string;
  if (outcome === 'error') {
    inner = `<error message="${escapeXmlAttribute(result.error ?? '')}" type="error"/>`;
  } else if (outcome === 'skipped') {
    inner = '<skipped message="no expected answer to score against"/>';
  } else {
    const message = `expected ${showExpected(result.expected)}, got ${showAnswer(result.answer)}`;
    const body = result.completions[0]?.text ?? '';
    inner = `<failure message="${escapeXmlAttribute(message)}" type="wrong answer">${escapeXmlText(body)}</failure>`;
  }
  return `    <testcase ${attributes}>\n      ${inner}\n    </testcase>`;
}

interface SuiteTally {
  cases: string[];
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  seconds: number;
}

const emptyTally = (): SuiteTally => ({ cases: [], tests: 0, failures: 0, errors: 0, skipped: 0, seconds: 0 });

function suiteAttributes(tally: Omit<SuiteTally, 'cases'>): string {
  return (
    `tests="${tally.tests}" failures="${tally.failures}" errors="${tally.errors}" ` +
    `skipped="${tally.skipped}" time="${tally.seconds.toFixed(3)}"`
  );
}

/**
 * One `<testsuite>` per cell (in the report's order; cells only seen in the results follow), one
 * `<testcase>` per result. Results may arrive interleaved by cell, as a compare run streams them, so
 * each is rendered at once and only its XML is kept until its suite is written.
 */
export function renderJunit(report: CompareReport, results: Iterable<ResultRecord>): string {
  const nameOf = cellNamer(report.strategies);
  const suites = new Map<string, SuiteTally & { name: string }>(
    report.strategies.map((summary) => [cellId(summary), { ...emptyTally(), name: nameOf(summary) }]),
  );
  for (const result of results) {
    const cell = cellOf(result);
    let tally = suites.get(cellId(cell));
    if (tally === undefined) {
      tally = { ...emptyTally(), name: nameOf(cell) };
      suites.set(cellId(cell), tally);
    }
    tally.cases.push(junitCase(result, tally.name));
    tally.tests += 1;
    tally.seconds += result.latencyMs / 1000;
    const outcome = classify(result);
    if (outcome === 'failure') tally.failures += 1;
    else if (outcome === 'error') tally.errors += 1;
    else if (outcome === 'skipped') tally.skipped += 1;
  }

  const total = emptyTally();
  const suiteXml: string[] = [];
  for (const tally of suites.values()) {
    total.tests += tally.tests;
    total.failures += tally.failures;
    total.errors += tally.errors;
    total.skipped += tally.skipped;
    total.seconds += tally.seconds;
    const open = `  <testsuite name="${escapeXmlAttribute(`promptlab.${tally.name}`)}" ${suiteAttributes(tally)}`;
    suiteXml.push(tally.cases.length === 0 ? `${open}/>` : [`${open}>`, ...tally.cases, '  </testsuite>'].join('\n'));
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="promptlab compare" ${suiteAttributes(total)}>`,
    ...suiteXml,
    '</testsuites>',
    '',
  ].join('\n');
}
