/**
 * The report as one self-contained HTML file (pure): styles, the charts as SVG, the matrix as a table,
 * the records as JSON for the page script. No network: a Content-Security-Policy of `default-src 'none'`
 * lets nothing load, and only the page's own script (by its hash) may run, so even markup that slipped
 * through as markup would stay inert.
 */
import { createHash } from 'node:crypto';
import { colorOfCell, formatUsd } from './cell-format.js';
import type { ReportCharts } from './charts.js';
import { escapeHtml, jsonForScript } from './escape-html.js';
import { runReportPage, type PageData } from './page-script.js';
import type { CellReport, ReportModel } from './report-model.js';
import { pageStyle } from './page-style.js';

export interface PageContext {
  /** What the report was made from: a file name, or the compare command. */
  source: string;
}

export function renderReportHtml(model: ReportModel, charts: ReportCharts, context: PageContext): string {
  const script = `(${String(runReportPage)})();`;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const policy = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'`;
  const data: PageData = {
    cells: model.cells.map((cell, index) => ({ label: cell.label, color: colorOfCell(index) })),
    records: model.records,
  };
  const counts = recordCounts(model);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="promptlab">
<title>promptlab report · ${escapeHtml(context.source)}</title>
<style>${pageStyle}</style>
</head>
<body>
<header>
<h1>promptlab report</h1>
<p class="meta">${escapeHtml(metaLine(model, context))}</p>
</header>
<main>
<section class="headline">${headline(model)}</section>
${model.notes.length === 0 ? '' : `<ul class="notes">${model.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`}
<section>
<h2>Matrix</h2>
${matrixTable(model)}
<p class="hint">Accuracy is over records with an expected answer (an errored record counts as wrong), with a 95% Wilson interval. The p-value is the exact McNemar test against the baseline over the records both scored (significant below α = ${model.alpha}, in bold); ▲/▼ count records only this cell / only the baseline got right.</p>
</section>
<section class="charts">
<figure class="chart" id="chart-tradeoff">
<figcaption><h2>Accuracy against ${model.costAxis === 'usd' ? 'cost' : 'tokens'} per record</h2>
<p>Filled dots, joined by the dashed line, are the Pareto front: no other cell is both ${model.costAxis === 'usd' ? 'cheaper' : 'lighter'} and more accurate. Bars are 95% intervals. Hover a dot for its numbers.</p></figcaption>
${charts.tradeoff}
</figure>
${
  charts.bySamples === null || charts.byAgreement === null
    ? ''
    : `<figure class="chart" id="chart-samples">
<figcaption><h2>Self-consistency: accuracy by samples voted</h2>
<p>The recorded samples re-voted with only the first k of each record (as <code>score --max-samples k</code> does). The band is the 95% interval.</p></figcaption>
${charts.bySamples}
</figure>
<figure class="chart" id="chart-agreement">
<figcaption><h2>Self-consistency: is agreement a confidence?</h2>
<p>How often the majority answer is right, by the share of samples that agree with it (records per level on each bar).</p></figcaption>
${charts.byAgreement}
</figure>`
}
</section>
<section id="records">
<h2>Records</h2>
<div class="controls">
<label>Show <select id="records-filter">
<option value="all">all records (${model.records.length})</option>
<option value="disagree">cells disagree (${counts.disagree})</option>
<option value="wrong">some cell wrong (${counts.wrong})</option>
<option value="failed">errors or no answer (${counts.failed})</option>
</select></label>
<label>Search <input id="records-search" type="search" placeholder="id, input, answer"></label>
<span id="records-count" class="count"></span>
</div>
<p class="hint">✓ right · ✗ wrong · ! error · ? no answer found. Click a record for its input, each cell's completions, votes and how each answer was found.</p>
<div class="table-wrap">
<table class="records">
<thead><tr id="records-head"><th>id</th><th>input</th><th>expected</th></tr></thead>
<tbody id="records-body"></tbody>
</table>
</div>
<button id="records-more" type="button" hidden>Show more</button>
<noscript><p>The record table needs JavaScript; the matrix and charts above do not.</p></noscript>
</section>
</main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

function recordCounts(model: ReportModel): { disagree: number; wrong: number; failed: number } {
  return {
    disagree: model.records.filter((row) => row.disagree).length,
    wrong: model.records.filter((row) => row.wrong).length,
    failed: model.records.filter((row) => row.failed).length,
  };
}

function metaLine(model: ReportModel, context: PageContext): string {
  const cellWord = model.cells.length === 1 ? 'cell' : 'cells';
  return [
    `${model.records.length} ${model.records.length === 1 ? 'record' : 'records'} × ${model.cells.length} ${cellWord}`,
    `${model.models.length === 1 ? 'model' : 'models'} ${model.models.join(', ')}`,
    ...(model.templates.length === 0 ? [] : [`template ${model.templates.join(', ')}`]),
    `baseline ${model.cells[model.baseline]?.label ?? ''}`,
    `from ${context.source}`,
  ].join(' · ');
}

const percent = (value: number, digits = 1): string => `${(value * 100).toFixed(digits)}%`;

function formatPValue(pValue: number): string {
  if (pValue < 0.001) return 'p < 0.001';
  return `p = ${pValue < 0.01 ? pValue.toFixed(3) : pValue.toFixed(2)}`;
}

/** One sentence a reader takes in at a glance: the best cell against the baseline, and the front. */
function headline(model: ReportModel): string {
  const ranked = model.cells
    .map((cell, index) => ({ cell, index }))
    .filter(({ cell }) => cell.summary.accuracy !== null)
    .sort(
      (left, right) =>
        right.cell.summary.accuracy! - left.cell.summary.accuracy! ||
        left.cell.tokensPerRecord - right.cell.tokensPerRecord,
    );
  const best = ranked[0];
  if (best === undefined) return '<p>No record had an expected answer, so nothing was scored.</p>';
  const { cell } = best;
  const baseline = model.cells[model.baseline]!;
  const ci = cell.summary.ci95!;
  const parts = [
    `<strong>${escapeHtml(cell.label)}</strong> is the most accurate: <strong>${percent(cell.summary.accuracy!)}</strong> (95% interval ${percent(ci[0], 0)}–${percent(ci[1], 0)})`,
  ];
  if (best.index === model.baseline) parts.push(', and it is the baseline.');
  else if (cell.vsBaseline !== null)
    parts.push(
      `, ${signedPoints(cell.vsBaseline.delta)} over the baseline ${escapeHtml(baseline.label)} (${formatPValue(cell.vsBaseline.pValue)}, ${cell.vsBaseline.significant ? 'significant' : 'not significant'}).`,
    );
  const front = model.cells.filter((each) => each.onParetoFront).sort(byCost(model));
  const frontText =
    front.length === 0
      ? ''
      : ` <span class="front">Pareto front, ${model.costAxis === 'usd' ? 'cheapest' : 'fewest tokens'} first: ${front.map((each) => escapeHtml(each.label)).join(' → ')}.</span>`;
  return `<p>${parts.join('')}${frontText}</p>`;
}

const byCost =
  (model: ReportModel) =>
  (left: CellReport, right: CellReport): number =>
    model.costAxis === 'usd'
      ? (left.costPerRecord ?? 0) - (right.costPerRecord ?? 0)
      : left.tokensPerRecord - right.tokensPerRecord;

const signedPoints = (delta: number, unit = 'points'): string =>
  `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta * 100).toFixed(1)} ${unit}`;

/** `12 / 40 ms`, `1.2 / 3.4 s`: both in the unit of the larger. */
function formatLatency(p50: number, p95: number): string {
  return p95 >= 1000
    ? `${(p50 / 1000).toFixed(1)} / ${(p95 / 1000).toFixed(1)} s`
    : `${Math.round(p50)} / ${Math.round(p95)} ms`;
}

function matrixTable(model: ReportModel): string {
  const priced = model.costAxis === 'usd';
  const header = [
    'cell',
    'accuracy (correct)',
    '95% interval',
    'vs baseline',
    'errors',
    'requests',
    'tokens/rec',
    ...(priced ? ['cost/rec', 'run cost'] : []),
    'latency p50/p95',
    'samples',
  ];
  const rows = model.cells.map((cell, index) => {
    const { summary } = cell;
    const accuracy = summary.accuracy;
    const ci = summary.ci95;
    const baseline = index === model.baseline;
    const versus =
      cell.vsBaseline === null
        ? '<span class="tag">baseline</span>'
        : `<span class="delta ${cell.vsBaseline.delta > 0 ? 'up' : cell.vsBaseline.delta < 0 ? 'down' : ''}">${signedPoints(cell.vsBaseline.delta, 'pts')}</span> <span class="${cell.vsBaseline.significant ? 'significant' : 'pvalue'}">${formatPValue(cell.vsBaseline.pValue)}</span><br><span class="pairs">▲${cell.vsBaseline.better} ▼${cell.vsBaseline.worse}</span>`;
    const noAnswer =
      summary.extractionFailures > 0 ? ` <span class="muted">+${summary.extractionFailures} no answer</span>` : '';
    const cost = summary.n > 0 && cell.costPerRecord !== null ? cell.costPerRecord * summary.n : null;
    const cells = [
      `<th scope="row"><span class="swatch" style="background:${colorOfCell(index)}"></span>${escapeHtml(cell.label)}${cell.onParetoFront ? ' <span class="tag front-tag" title="on the Pareto front">front</span>' : ''}</th>`,
      accuracy === null
        ? '<td class="num">—</td>'
        : `<td class="num accuracy"><span class="bar"><span style="width:${(accuracy * 100).toFixed(1)}%"></span></span>${percent(accuracy)} <span class="muted">${summary.correct}/${summary.scored}</span></td>`,
      `<td class="num">${ci === null ? '—' : `${percent(ci[0], 0)}–${percent(ci[1], 0)}`}</td>`,
      `<td class="versus${baseline ? ' is-baseline' : ''}">${versus}</td>`,
      `<td class="num${summary.errors > 0 ? ' has-errors' : ''}">${summary.errors}${noAnswer}</td>`,
      `<td class="num">${summary.requests}</td>`,
      `<td class="num">${Math.round(cell.tokensPerRecord)}</td>`,
      ...(priced
        ? [
            `<td class="num">${cell.costPerRecord === null ? '—' : formatUsd(cell.costPerRecord)}</td>`,
            `<td class="num">${cost === null ? '—' : formatUsd(cost)}</td>`,
          ]
        : []),
      `<td class="num">${formatLatency(summary.latencyMs.p50, summary.latencyMs.p95)}</td>`,
      `<td class="num">${Number.isInteger(summary.samplesUsed) ? summary.samplesUsed : summary.samplesUsed.toFixed(1)}</td>`,
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<div class="table-wrap"><table class="matrix"><thead><tr>${header.map((name) => `<th>${name}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}
