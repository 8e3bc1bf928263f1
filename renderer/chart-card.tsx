// The frame every chart sits in: a title, a legend carrying the latest values, and a sized plot area.
import type { ReactNode } from 'react';
import { XAxis } from 'recharts';

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

/**
 * recharts lays out reference lines and the plot area only with an X axis; the live series draw the time axis
 * themselves, so this one is hidden and never changes. A function, since recharts reads its direct children.
 */
export function hiddenXAxis() {
  return <XAxis hide type="number" dataKey="at" domain={UNIT_DOMAIN} allowDataOverflow />;
}
