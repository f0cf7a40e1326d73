/**
 * Saved results in, one self-contained HTML page out: the report's model, its charts and its page. The
 * one entry point of src/report for the commands that write HTML, which import it lazily, so Plot and
 * linkedom load only there.
 */
import { renderCharts } from './charts.js';
import { renderReportHtml, type PageContext } from './html-page.js';
import { buildReportModel, type ReportOptions } from './report-model.js';
import type { SavedOutput } from './saved-output.js';

export interface HtmlReport {
  html: string;
  /** What the reader should know, for stderr too (missing prices, a rescoring caveat). */
  notes: string[];
}

export function renderHtmlReport(saved: SavedOutput, options: ReportOptions, context: PageContext): HtmlReport {
  const model = buildReportModel(saved, options);
  return { html: renderReportHtml(model, renderCharts(model), context), notes: model.notes };
}

export { readSavedOutput } from './saved-output.js';
