import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../src/core/records.js';
import { escapeXmlAttribute, escapeXmlText, junitCase, renderJunit } from '../../src/render/junit.js';
import { buildCompareReport } from '../../src/scoring/compare-report.js';
import { cellSummary, summarizeResults } from '../../src/scoring/summary.js';
import { resultRecord } from '../support/result-record.js';

const cell = (strategy: string) => ({ model: 'test-model', strategy, variant: null });

function result(overrides: Partial<ResultRecord> & { id: string; strategy: string }): ResultRecord {
  return resultRecord({
    answer: '42',
    expected: '42',
    completions: [{ text: 'The answer is 42.', answer: '42', via: 'phrase', finishReason: 'stop' }],
    latencyMs: 250,
    ...overrides,
  });
}

describe('XML escaping', () => {
  it.each([
    [`<&"'>`, '&lt;&amp;"\'&gt;', '&lt;&amp;&quot;&apos;&gt;'],
    ['a\nb\tc\rd', 'a\nb\tc\rd', 'a&#10;b&#9;c&#13;d'],
    ['bell\u0007 nul\u0000 esc\u001b', 'bell\\u0007 nul\\u0000 esc\\u001b', 'bell\\u0007 nul\\u0000 esc\\u001b'],
    [
      'lone \uD800 surrogate, pair 😀 kept',
      'lone \\ud800 surrogate, pair 😀 kept',
      'lone \\ud800 surrogate, pair 😀 kept',
    ],
    ['\uFFFE\uFFFF', '\\ufffe\\uffff', '\\ufffe\\uffff'],
  ])('%j → text %j, attribute %j', (input, text, attribute) => {
    expect(escapeXmlText(input)).toBe(text);
    expect(escapeXmlAttribute(input)).toBe(attribute);
  });
});

describe('junitCase', () => {
  it.each([
    [result({ id: 'q1', strategy: 'cot' }), '    <testcase name="q1" classname="promptlab.cot" time="0.250"/>'],
    [
      result({ id: 'q2', strategy: 'cot', expected: null, correct: null }),
      '    <testcase name="q2" classname="promptlab.cot" time="0.250">\n      <skipped message="no expected answer to score against"/>\n    </testcase>',
    ],
    [
      result({
        id: 'q3',
        strategy: 'cot',
        answer: null,
        correct: false,
        error: 'HTTP 500 <bad gateway>',
        latencyMs: 1234,
      }),
      '    <testcase name="q3" classname="promptlab.cot" time="1.234">\n      <error message="HTTP 500 &lt;bad gateway&gt;" type="error"/>\n    </testcase>',
    ],
  ])('%#', (record, expected) => {
    expect(junitCase(record)).toBe(expected);
  });

  it('escapes ids, strategies, answers and completion text', () => {
    const xml = junitCase(
      result({
        id: `<&"'>\u0001`,
        strategy: 'a&b',
        expected: ['x<y', 'z'],
        answer: '"q"',
        correct: false,
        completions: [{ text: 'so </failure> & done\u0002', answer: '"q"', via: 'fallback', finishReason: 'stop' }],
      }),
    );
    expect(xml).toBe(
      '    <testcase name="&lt;&amp;&quot;&apos;&gt;\\u0001" classname="promptlab.a&amp;b" time="0.250">\n' +
        '      <failure message="expected &quot;x&lt;y&quot; or &quot;z&quot;, got &quot;\\&quot;q\\&quot;&quot;" type="wrong answer">' +
        'so &lt;/failure&gt; &amp; done\\u0002</failure>\n' +
        '    </testcase>',
    );
  });
});

describe('renderJunit', () => {
  it('writes one suite per strategy from interleaved results', () => {
    const results = [
      result({ id: 'q1', strategy: 'zero-shot', answer: '41', correct: false, latencyMs: 100 }),
      result({ id: 'q1', strategy: 'cot', latencyMs: 900 }),
      result({ id: 'q2', strategy: 'zero-shot', latencyMs: 200 }),
      result({ id: 'q2', strategy: 'cot', error: 'timed out', answer: null, correct: null, latencyMs: 30000 }),
      result({ id: 'q3', strategy: 'cot', expected: null, correct: null, latencyMs: 500 }),
    ];
    const summaries = ['zero-shot', 'cot'].map((strategy) =>
      cellSummary(
        cell(strategy),
        summarizeResults(
          strategy,
          results.filter((record) => record.strategy === strategy),
        ),
      ),
    );
    const report = buildCompareReport(summaries, new Map(), cell('zero-shot'));
    expect(renderJunit(report, results)).toMatchInlineSnapshot(`
      "<?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="promptlab compare" tests="5" failures="1" errors="1" skipped="1" time="31.700">
        <testsuite name="promptlab.zero-shot" tests="2" failures="1" errors="0" skipped="0" time="0.300">
          <testcase name="q1" classname="promptlab.zero-shot" time="0.100">
            <failure message="expected &quot;42&quot;, got &quot;41&quot;" type="wrong answer">The answer is 42.</failure>
          </testcase>
          <testcase name="q2" classname="promptlab.zero-shot" time="0.200"/>
        </testsuite>
        <testsuite name="promptlab.cot" tests="3" failures="0" errors="1" skipped="1" time="31.400">
          <testcase name="q1" classname="promptlab.cot" time="0.900"/>
          <testcase name="q2" classname="promptlab.cot" time="30.000">
            <error message="timed out" type="error"/>
          </testcase>
          <testcase name="q3" classname="promptlab.cot" time="0.500">
            <skipped message="no expected answer to score against"/>
          </testcase>
        </testsuite>
      </testsuites>
      "
    `);
  });

  it('writes one suite per cell, named model/variant when the run had several models', () => {
    const cells = [
      { model: 'a', strategy: 'cot', variant: null },
      { model: 'b', strategy: 'cot', variant: 'cot-plan' },
    ];
    const results = cells.map((one) => result({ id: 'q1', ...one }));
    const report = buildCompareReport(
      cells.map((one) =>
        cellSummary(
          one,
          summarizeResults(
            'cot',
            results.filter((entry) => entry.model === one.model),
          ),
        ),
      ),
      new Map(),
      cells[0]!,
    );
    const xml = renderJunit(report, results);
    expect(xml).toMatch(/<testsuite name="promptlab.a\/cot" tests="1"/);
    expect(xml).toMatch(/<testsuite name="promptlab.b\/cot-plan" tests="1"/);
    expect(xml).toContain('<testcase name="q1" classname="promptlab.b/cot-plan"');
  });

  it('writes an empty suite for a strategy with no results', () => {
    const report = buildCompareReport([cellSummary(cell('cot'), summarizeResults('cot', []))], new Map(), cell('cot'));
    expect(renderJunit(report, [])).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="promptlab compare" tests="0" failures="0" errors="0" skipped="0" time="0.000">',
        '  <testsuite name="promptlab.cot" tests="0" failures="0" errors="0" skipped="0" time="0.000"/>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});
