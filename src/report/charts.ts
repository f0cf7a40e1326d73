/**
 * The report's charts, drawn by Observable Plot when the report is written and kept as static SVG in the
 * page: the viewer needs no chart library and no script to see them (measured for the demo: the page is
 * tens of KB; inlining Plot and d3 for the browser would add about 480 KB to every report). Plot builds
 * its SVG through a DOM; linkedom provides one in Node. Text that comes from data (cell names) goes into
 * text nodes, which the serializer escapes.
 *
 * This module loads Plot and linkedom: only the commands that write HTML import it, lazily.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { colorOfCell, formatUsd } from './cell-format.js';
import type { CellReport, ReportModel } from './report-model.js';

export interface ReportCharts {
  /** Accuracy (with 95 % intervals) against tokens or cost per record, the Pareto front marked. */
  tradeoff: string;
  /** Self-consistency cells: accuracy by samples voted; null when there are none. */
  bySamples: string | null;
  /** Self-consistency cells: how often the majority is right at each agreement level; null when none. */
  byAgreement: string | null;
}

type PlotOptions = Parameters<typeof Plot.plot>[0];

export function renderCharts(model: ReportModel): ReportCharts {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const draw = (options: PlotOptions): string => {
    const chart = Plot.plot({
      document: document as unknown as NonNullable<PlotOptions>['document'],
      style: { fontSize: '12px', fontFamily: 'system-ui, sans-serif', overflow: 'visible' },
      ...options,
    });
    return chart.outerHTML;
  };
  const voted = model.cells
    .map((cell, index) => ({ cell, color: colorOfCell(index) }))
    .filter(({ cell }) => cell.bySamples !== null && cell.bySamples.length > 0);
  return {
    tradeoff: draw(tradeoffChart(model)),
    bySamples: voted.length === 0 ? null : draw(samplesChart(voted)),
    byAgreement: voted.length === 0 ? null : draw(agreementChart(voted)),
  };
}

const percent = (value: number): string => `${Math.round(value * 100)}%`;

function tradeoffChart(model: ReportModel): PlotOptions {
  const usd = model.costAxis === 'usd';
  const points = model.cells.flatMap((cell, index) => {
    const cost = usd ? cell.costPerRecord : cell.tokensPerRecord;
    const { accuracy, ci95 } = cell.summary;
    if (accuracy === null || ci95 === null || cost === null) return [];
    return [{ cell, cost, accuracy, low: ci95[0], high: ci95[1], color: colorOfCell(index) }];
  });
  const front = points.filter((point) => point.cell.onParetoFront).sort((left, right) => left.cost - right.cost);
  const costs = points.map((point) => point.cost).filter((cost) => cost > 0);
  // A log axis when costs span an order of magnitude (self-consistency next to zero-shot), linear otherwise.
  const logScale = costs.length > 1 && Math.max(...costs) / Math.min(...costs) >= 8;
  const formatCost = usd ? formatUsd : (value: number) => `${Math.round(value)}`;
  const frame = { width: 640, marginLeft: 52, marginRight: 130 };
  // Where each dot lands across the plot, in pixels, to tell which labels would run into each other.
  const plotWidth = frame.width - frame.marginLeft - frame.marginRight;
  const [lowest, highest] = [Math.min(...costs, Infinity), Math.max(...costs, 0)];
  const xOf = logScale
    ? (point: { cost: number }) =>
        (plotWidth * Math.log(Math.max(point.cost, lowest / 1.5) / (lowest / 1.5))) /
        Math.log((highest * 2.25) / lowest)
    : (point: { cost: number }) => (highest === 0 ? 0 : (plotWidth * point.cost) / highest);
  return {
    ...frame,
    height: 340,
    marginBottom: 44,
    x: {
      type: logScale ? 'log' : 'linear',
      label: usd ? 'Cost per record (USD) →' : 'Tokens per record →',
      // A nice log domain rounds out to whole powers of ten, which squeezes the points into the middle.
      ...(logScale ? { domain: [Math.min(...costs) / 1.5, Math.max(...costs) * 1.5] } : { nice: true }),
      // A log axis's grid is one line per minor tick: too busy behind the interval bars.
      grid: !logScale,
      tickFormat: formatCost,
      ...(logScale ? {} : { zero: true }),
    },
    y: { domain: [0, 1], label: '↑ Accuracy (95% interval)', grid: true, tickFormat: percent },
    marks: [
      Plot.line(front, {
        x: 'cost',
        y: 'accuracy',
        stroke: '#555',
        strokeDasharray: '5,4',
        strokeWidth: 1.5,
      }),
      Plot.ruleX(points, { x: 'cost', y1: 'low', y2: 'high', stroke: 'color', strokeWidth: 2, strokeOpacity: 0.6 }),
      // Dominated cells first, so a front cell's filled dot is never hidden under a hollow one.
      Plot.dot(
        [...points].sort((left, right) => Number(left.cell.onParetoFront) - Number(right.cell.onParetoFront)),
        {
          x: 'cost',
          y: 'accuracy',
          r: 6,
          stroke: 'color',
          strokeWidth: 2,
          fill: (point) => (point.cell.onParetoFront ? point.color : 'white'),
          title: (point) =>
            `${point.cell.label}\naccuracy ${percent(point.accuracy)} (${percent(point.low)}–${percent(point.high)})\n${formatCost(point.cost)} ${usd ? 'USD' : 'tokens'} per record${point.cell.onParetoFront ? '\non the Pareto front' : ''}`,
          ariaLabel: (point) => point.cell.label,
        },
      ),
      // Names of the cells on the front in bold, the dominated ones in grey; close neighbours' names stacked.
      ...labelGroups(points, { x: xOf, label: (point) => point.cell.label, offset: 10 }).flatMap(({ dy, members }) =>
        [true, false].map((onFront) =>
          Plot.text(
            members.filter((point) => point.cell.onParetoFront === onFront),
            {
              x: 'cost',
              y: 'accuracy',
              text: (point) => point.cell.label,
              dx: 10,
              dy,
              textAnchor: 'start',
              fill: onFront ? 'currentColor' : '#666',
              fontWeight: onFront ? 'bold' : 'normal',
              stroke: 'white',
              strokeWidth: 3,
              paintOrder: 'stroke',
            },
          ),
        ),
      ),
    ],
  };
}

/** How wide a label of the charts' 10 px sans-serif runs, per character (bold included), in pixels. */
const pixelsPerCharacter = 6.5;

/**
 * Labels of points at about the same accuracy whose labels would run into each other (or into the other's
 * dot) print over each other: each label moves down a line for every earlier such neighbour. `x` is a
 * point's position across the plot in pixels, and a label starts `offset` pixels right of its dot. Plot
 * has no label placement of its own; this only picks each label's line offset.
 */
export function labelGroups<T extends { accuracy: number }>(
  points: readonly T[],
  layout: { x(point: NoInfer<T>): number; label(point: NoInfer<T>): string; offset: number },
): Array<{ dy: number; members: T[] }> {
  const dotRadius = 6;
  const span = (point: T): [number, number] => {
    const x = layout.x(point);
    return [x - dotRadius, x + layout.offset + layout.label(point).length * pixelsPerCharacter];
  };
  const close = (left: T, right: T): boolean => {
    const [leftStart, leftEnd] = span(left);
    const [rightStart, rightEnd] = span(right);
    return Math.abs(left.accuracy - right.accuracy) < 0.04 && leftStart < rightEnd && rightStart < leftEnd;
  };
  const lines = new Map<number, T[]>();
  points.forEach((point, index) => {
    const line = points.slice(0, index).filter((other) => close(point, other)).length;
    lines.set(line, [...(lines.get(line) ?? []), point]);
  });
  return [...lines].map(([line, members]) => ({ dy: line * 14, members }));
}

interface VotedCell {
  cell: CellReport;
  color: string;
}

function samplesChart(voted: readonly VotedCell[]): PlotOptions {
  const points = voted.flatMap(({ cell, color }) =>
    (cell.bySamples ?? []).map((point) => ({ ...point, low: point.ci95[0], high: point.ci95[1], cell, color })),
  );
  const most = Math.max(...points.map((point) => point.k));
  return {
    width: 440,
    height: 300,
    marginLeft: 52,
    marginRight: voted.length > 1 ? 120 : 20,
    marginBottom: 44,
    x: {
      domain: [1, most],
      label: 'Samples voted (k) →',
      ticks: Math.min(most, 10),
      tickFormat: (value: number) => (Number.isInteger(value) ? String(value) : ''),
    },
    y: { domain: [0, 1], label: '↑ Accuracy of the majority', grid: true, tickFormat: percent },
    color: { type: 'identity' },
    marks: [
      Plot.areaY(points, {
        x: 'k',
        y1: 'low',
        y2: 'high',
        z: (point) => point.cell.label,
        fill: 'color',
        fillOpacity: 0.12,
      }),
      Plot.line(points, { x: 'k', y: 'accuracy', z: (point) => point.cell.label, stroke: 'color', strokeWidth: 2 }),
      Plot.dot(points, {
        x: 'k',
        y: 'accuracy',
        fill: 'color',
        r: 3,
        title: (point) =>
          `${point.cell.label}, k = ${point.k}: ${percent(point.accuracy)} (${point.correct}/${point.scored}; 95% ${percent(point.low)}–${percent(point.high)})`,
      }),
      // Each curve named at its end; names of curves that end at about the same accuracy stacked.
      ...(voted.length > 1
        ? labelGroups(
            voted.flatMap(({ cell }) => points.filter((point) => point.cell === cell && point.k === most).slice(-1)),
            { x: () => 0, label: (point) => point.cell.label, offset: 8 },
          ).map(({ dy, members }) =>
            Plot.text(members, {
              x: 'k',
              y: 'accuracy',
              text: (point) => point.cell.label,
              dx: 8,
              dy,
              textAnchor: 'start',
              fill: 'color',
            }),
          )
        : []),
    ],
  };
}

function agreementChart(voted: readonly VotedCell[]): PlotOptions {
  const bars = voted.flatMap(({ cell, color }) =>
    (cell.byAgreement ?? []).map((level) => ({ ...level, cell: cell.label, color })),
  );
  const levels = (voted[0]?.cell.byAgreement ?? []).map((level) => level.label);
  const shown = bars.filter((bar) => bar.accuracy !== null);
  const facet = voted.length > 1 ? { fy: 'cell' } : {};
  const label = (bar: (typeof bars)[number]) => `${percent(bar.accuracy ?? 0)}\nof ${bar.records}`;
  return {
    width: 440,
    height: 300,
    marginLeft: 52,
    marginBottom: 44,
    ...(voted.length > 1 ? { fy: { label: null } } : {}),
    x: { domain: levels, label: 'Samples agreeing with the majority →', padding: 0.25 },
    y: { domain: [0, 1], label: '↑ Majority correct', grid: true, tickFormat: percent },
    color: { type: 'identity' },
    marks: [
      Plot.barY(shown, {
        x: 'label',
        y: 'accuracy',
        fill: 'color',
        fillOpacity: 0.85,
        ...facet,
        title: (bar) =>
          `${bar.cell}: ${bar.records} record${bar.records === 1 ? '' : 's'} with ${bar.label} agreement, majority right in ${bar.correct}`,
      }),
      // The share and the number of records: inside a tall bar, above a short one; "none" where no record is.
      Plot.text(
        shown.filter((bar) => (bar.accuracy ?? 0) >= 0.2),
        {
          x: 'label',
          y: 'accuracy',
          ...facet,
          text: label,
          lineAnchor: 'top',
          dy: 6,
          fill: 'white',
          fontWeight: 'bold',
        },
      ),
      Plot.text(
        shown.filter((bar) => (bar.accuracy ?? 0) < 0.2),
        { x: 'label', y: 'accuracy', ...facet, text: label, lineAnchor: 'bottom', dy: -4 },
      ),
      Plot.text(
        bars.filter((bar) => bar.accuracy === null),
        { x: 'label', y: 0, ...facet, text: () => 'none', lineAnchor: 'bottom', dy: -4, fill: '#888' },
      ),
      Plot.ruleY([0]),
    ],
  };
}
