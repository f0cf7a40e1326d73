/** The report's stylesheet: plain, print-friendly, readable at a glance; no web fonts (nothing may load). */
export const pageStyle = `
:root { --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; --right: #1a7f37; --wrong: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header { padding: 20px 24px 12px; border-bottom: 1px solid var(--line); background: var(--soft); }
h1 { margin: 0; font-size: 22px; }
h2 { font-size: 16px; margin: 0 0 8px; }
h4 { margin: 0 0 6px; font-size: 14px; }
.meta { margin: 4px 0 0; color: var(--muted); }
main { padding: 16px 24px 48px; max-width: 1400px; }
section { margin: 0 0 28px; }
.headline p { font-size: 16px; margin: 4px 0 0; padding: 12px 16px; background: #eef4ff; border-left: 4px solid #4269d0; border-radius: 4px; }
.headline .front { display: block; margin-top: 4px; font-size: 14px; color: var(--muted); }
.notes { margin: 0 0 20px; padding: 10px 16px 10px 32px; background: #fff8c5; border: 1px solid #eac54f; border-radius: 4px; }
.hint { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; max-width: 100ch; }
code { font-size: 12.5px; background: var(--soft); padding: 0 3px; border-radius: 3px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { font-size: 12px; font-weight: 600; color: var(--muted); white-space: nowrap; border-bottom: 2px solid var(--line); }
.matrix th[scope=row] { white-space: nowrap; font-weight: 600; }
.matrix td, .matrix th { padding: 6px 7px; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.accuracy { font-weight: 600; }
.accuracy .muted { font-weight: 400; font-size: 12.5px; }
.bar { display: inline-block; width: 48px; height: 8px; margin-right: 8px; background: #eaeef2; border-radius: 4px; vertical-align: middle; overflow: hidden; }
.bar span { display: block; height: 100%; background: #4269d0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.tag { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 8px; background: #eaeef2; color: var(--muted); }
.front-tag { background: #dafbe1; color: var(--right); }
.versus { white-space: nowrap; font-variant-numeric: tabular-nums; }
.delta.up { color: var(--right); font-weight: 600; }
.delta.down { color: var(--wrong); font-weight: 600; }
.significant { font-weight: 600; }
.pvalue, .pairs, .muted { color: var(--muted); }
.pairs { font-size: 12px; }
.has-errors { color: var(--wrong); font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 24px 40px; align-items: flex-start; }
figure.chart { margin: 0; }
figure.chart figcaption p { margin: 0 0 8px; color: var(--muted); font-size: 12.5px; max-width: 60ch; }
figure.chart#chart-tradeoff figcaption p { max-width: 80ch; }
figure.chart svg { max-width: 100%; height: auto; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 16px; margin-bottom: 4px; }
.controls select, .controls input { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; }
.count { color: var(--muted); }
.records { width: 100%; }
.records tr.record { cursor: pointer; }
.records tr.record:hover, .records tr.record:focus { background: var(--soft); outline: none; }
.records tr.record[aria-expanded=true] { background: #eef4ff; }
.record-id { white-space: nowrap; font-variant-numeric: tabular-nums; }
.record-input { max-width: 48ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.record-expected { white-space: nowrap; font-variant-numeric: tabular-nums; }
.answer { white-space: nowrap; font-variant-numeric: tabular-nums; max-width: 18ch; overflow: hidden; text-overflow: ellipsis; }
.answer .mark { display: inline-block; width: 1.3em; font-weight: 700; }
.answer.right .mark, .verdict.right { color: var(--right); }
.answer.wrong .mark, .verdict.wrong { color: var(--wrong); }
.answer.wrong .answer-text { color: var(--wrong); }
.answer.error .mark, .answer.none .mark, .verdict.error, .verdict.none { color: var(--warn); }
.answer.absent { color: var(--muted); }
.verdict { font-weight: 600; font-size: 12.5px; }
.record-details > td { background: #fbfcfd; padding: 12px 16px 16px; }
.vars { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin-bottom: 12px; }
.var-name { color: var(--muted); font-size: 12px; padding-top: 2px; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.outcomes { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; align-items: start; }
.outcome { border: 1px solid var(--line); border-top: 4px solid; border-radius: 4px; padding: 8px 10px; background: #fff; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 10px; margin: 0 0 6px; font-size: 12.5px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; word-break: break-word; }
details.completion { border-top: 1px dashed var(--line); padding: 4px 0; }
details.completion summary { cursor: pointer; font-size: 12.5px; color: var(--muted); }
.completion-text { padding: 6px 0 2px; }
#records-more { margin-top: 8px; font: inherit; padding: 4px 12px; }
@media print { .controls, #records-more { display: none; } }
`;
