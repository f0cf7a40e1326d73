/**
 * `promptlab tune` on a terminal: the leaderboard of the search (each candidate's dev accuracy, the dev
 * records it was judged on and the round it stopped at), then the verdict on the test part — the only
 * numbers to report — with the dev scores beside them so the winner's curse shows.
 */
import type { TuneCandidateEntry, TuneReport } from '../scoring/tune-report.js';
import type { Colors } from './colors.js';
import { formatAccuracy, formatCount, formatDeltaPoints, formatPClause, formatPercent } from './format.js';
import { formatTextTable, type TextColumn } from './text-table.js';
import { clipToWidth, textWidth } from './text-width.js';

/** Rows shown before the rest are summed up in one line (all of them are in --json). */
const leaderboardRows = 15;

export interface LeaderboardOptions {
  colors: Colors;
  /** Terminal columns; labels are cut to fit. */
  width: number;
  alpha: number;
}

/** Candidates that went further first, then by dev accuracy, then in id order. */
export function leaderboardOrder(candidates: readonly TuneCandidateEntry[]): TuneCandidateEntry[] {
  const accuracy = (entry: TuneCandidateEntry) => entry.dev.accuracy ?? -1;
  return [...candidates].sort(
    (left, right) =>
      right.stoppedAtRound - left.stoppedAtRound ||
      accuracy(right) - accuracy(left) ||
      candidates.indexOf(left) - candidates.indexOf(right),
  );
}

export function renderTuneLeaderboard(report: TuneReport, options: LeaderboardOptions): string {
  const { colors } = options;
  const ordered = leaderboardOrder(report.candidates);
  const shown = ordered.slice(0, leaderboardRows);
  const columns: TextColumn[] = [
    { header: 'id', align: 'left' },
    { header: 'candidate', align: 'left' },
    { header: 'dev', align: 'right' },
    { header: 'n', align: 'right' },
    { header: 'round', align: 'right' },
  ];
  const cells = shown.map((entry) => [
    entry.id,
    entry.label,
    entry.dev.accuracy === null ? 'n/a' : formatPercent(entry.dev.accuracy),
    formatCount(entry.dev.n),
    String(entry.stoppedAtRound),
  ]);
  // The label takes what the other columns leave of the line (two spaces between columns, two for the marker).
  const others = [0, 2, 3, 4].reduce(
    (sum, index) => sum + Math.max(textWidth(columns[index]!.header), ...cells.map((row) => textWidth(row[index]!))),
    0,
  );
  const labelWidth = Math.max(12, options.width - 2 - others - 2 * (columns.length - 1));
  const rows = cells.map((row, index) => {
    const entry = shown[index]!;
    const label = clipToWidth(row[1]!, labelWidth);
    const isBest = entry.id === report.best.id;
    return [
      isBest ? colors.green(row[0]!) : colors.cyan(row[0]!),
      entry.id === report.baseline.id && entry.label !== 'baseline'
        ? `${clipToWidth(label, labelWidth - 11)} ${colors.dim('(baseline)')}`
        : label,
      isBest ? colors.bold(row[2]!) : row[2]!,
      row[3]!,
      row[4]!,
    ];
  });
  const table = formatTextTable(columns, rows, colors.bold)
    .split('\n')
    .map((line, index) =>
      index > 0 && shown[index - 1]!.id === report.best.id ? `${colors.green('▸')} ${line}` : `  ${line}`,
    );
  const hidden = ordered.length - shown.length;
  return [
    heading(report, colors),
    '',
    ...table,
    ...(hidden > 0 ? [colors.dim(`  … and ${hidden} more (all of them in --json)`)] : []),
    '',
    ...verdict(report, options),
  ].join('\n');
}

function heading(report: TuneReport, colors: Colors): string {
  const { split, budget } = report;
  const spent =
    budget.limit === null
      ? `budget ${formatCount(budget.spent)}`
      : `budget ${formatCount(budget.spent)}/${formatCount(budget.limit)}`;
  const rounds = report.rounds.length === 1 ? '1 round' : `${report.rounds.length} rounds`;
  // The budget counts cache hits as the requests they stand for; what the endpoint saw is said apart.
  const sent = `${formatCount(report.requests)} requests sent${report.requests === 0 ? ' (cache)' : ''}`;
  return [
    `${colors.bold(`tune ${report.strategy}`)} · ${report.model} · ${formatCount(report.dataset.records)} records: ${formatCount(split.dev)} dev, ${formatCount(split.test)} test (seed ${report.seed})`,
    colors.dim(`${report.search} · ${report.candidates.length} candidates · ${rounds} · ${spent} · ${sent}`),
  ].join('\n');
}

function verdict(report: TuneReport, { colors, alpha }: LeaderboardOptions): string[] {
  const { test, best, baseline } = report;
  const line = (role: string, entry: TuneCandidateEntry, score: typeof test.best) =>
    `  ${role.padEnd(9)} ${entry.id.padEnd(4)} ${formatAccuracy(score.accuracy, score.ci95).padEnd(21)} ${colors.dim(`dev ${entry.dev.accuracy === null ? 'n/a' : formatPercent(entry.dev.accuracy)} on ${formatCount(entry.dev.n)}`)}`;
  const lines = [colors.bold(`test: ${formatCount(test.best.n)} records the search never saw`)];
  if (best.id === baseline.id) {
    lines.push(line('baseline', baseline, test.baseline));
    lines.push(colors.yellow('  No candidate beat the baseline on dev: keep it.'));
  } else {
    lines.push(line('best', best, test.best), line('baseline', baseline, test.baseline));
    const difference = `${formatDeltaPoints(test.delta)}, McNemar ${formatPClause(test.pValue)}`;
    if (test.pValue < alpha && test.delta > 0)
      lines.push(colors.green(`  ${difference}: ${best.id} is better than the baseline on the test part.`));
    else if (test.pValue < alpha)
      lines.push(
        colors.red(`  ${difference}: ${best.id} is worse than the baseline on the test part; keep the baseline.`),
      );
    else
      lines.push(
        colors.yellow(`  ${difference}: no significant difference on the test part; its dev lead may be luck.`),
      );
  }
  lines.push(colors.dim('  Report the test numbers: the dev scores chose the winner and overstate it.'));
  return lines;
}
