// The frame every chart sits in: a title, a legend carrying the latest values, and a sized plot area.
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { CartesianGrid, XAxis, YAxis, type YAxisTickContentProps } from 'recharts';
import { steppedMax } from './y-step.js';

export interface LegendEntry {
  label: string;
  /** The latest value: a `LiveValue`, so it follows the samples without re-rendering the chart. */
  value: ReactNode;
  /** The CSS class that colours the swatch, matching the series' stroke. */
  swatch: string;
  dashed?: boolean;
}

export interface ChartCardProps {
  title: string;
  legend: LegendEntry[];
  className?: string;
  /** Controls shown at the right of the header, such as the time window. */
  actions?: ReactNode;
  /** Drawn over the plot without taking room from it (the what-if summary): showing it never resizes the chart. */
  overlay?: ReactNode;
  children: ReactNode;
}

export function ChartCard({ title, legend, className, actions, overlay, children }: ChartCardProps) {
  return (
    <section className={`card chart-card ${className ?? ''}`} aria-label={`${title} chart`}>
      <div className="chart-head">
        <h2>{title}</h2>
        <ul className="legend">
          {legend.map((entry) => (
            <li key={entry.label}>
              <span className={`swatch ${entry.swatch}${entry.dashed ? ' dashed' : ''}`} aria-hidden="true" />
              <span className="legend-label">{entry.label}</span>
              <span className="legend-value">{entry.value}</span>
            </li>
          ))}
        </ul>
        {actions && <div className="chart-actions">{actions}</div>}
      </div>
      <div className="chart-plot">
        {children}
        {overlay}
      </div>
    </section>
  );
}

/** Room below the plot for the time labels the live series write (recharts' own X axis is not used). */
export const PLOT_MARGIN = { top: 8, right: 12, bottom: 24, left: 0 } as const;

const UNIT_DOMAIN = [0, 1];
/** One element for every render: React then skips it when the chart re-renders for a Y step. */
const HIDDEN_X_AXIS = <XAxis hide type="number" dataKey="at" domain={UNIT_DOMAIN} allowDataOverflow />;
const PLOT_GRID = <CartesianGrid vertical={false} stroke="var(--grid)" />;

/**
 * recharts lays out reference lines and the plot area only with an X axis; the live series draw the time axis
 * themselves, so this one is hidden and never changes. A function, since recharts reads its direct children.
 */
export function hiddenXAxis() {
  return HIDDEN_X_AXIS;
}

/** The horizontal grid lines at the Y ticks. */
export function plotGrid() {
  return PLOT_GRID;
}

/**
 * A Y label as plain SVG text. recharts' own `Text` measures every label through the DOM (a forced layout) each time
 * the axis changes; these labels are short numbers on one line and need none of that.
 */
function plainTick(unit: string) {
  return function PlainTick({ x, y, payload, textAnchor, fill, className }: YAxisTickContentProps) {
    return (
      <text x={x} y={y} dy="0.355em" textAnchor={textAnchor} fill={fill} fontSize={11} className={className}>
        {`${String(payload.value)}${unit}`}
      </text>
    );
  };
}

const TICKS_BY_UNIT = new Map<string, ReturnType<typeof plainTick>>();

export interface ValueAxisProps {
  domain: readonly number[];
  ticks: readonly number[];
  unit?: string;
}

/**
 * The Y axis of every chart: the given ticks all shown (`interval` 0, so recharts measures no label to thin them
 * out) as plain text. A function, since recharts reads its direct children.
 */
export function valueAxis({ domain, ticks, unit = '' }: ValueAxisProps) {
  let tick = TICKS_BY_UNIT.get(unit);
  if (!tick) TICKS_BY_UNIT.set(unit, (tick = plainTick(unit)));
  return (
    <YAxis
      domain={domain as number[]}
      ticks={ticks as number[]}
      interval={0}
      tick={tick}
      allowDataOverflow
      allowDecimals={false}
      width={44}
      stroke="var(--axis)"
      fontSize={11}
    />
  );
}

/**
 * A Y maximum that follows the data in steps (y-step.ts): the live series report their highest value after each frame,
 * and React hears of it only when the step changes, so a frame that keeps the axis costs no render at all.
 */
export function useSteppedMax(floor: number): [number, (highest: number) => void] {
  const [max, setMax] = useState(floor);
  const shown = useRef(floor);
  const onHighest = useCallback(
    (highest: number) => {
      const next = steppedMax(shown.current, highest, floor);
      if (next === shown.current) return;
      shown.current = next;
      setMax(next);
    },
    [floor],
  );
  return [max, onHighest];
}
