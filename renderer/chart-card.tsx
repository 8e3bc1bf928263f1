// The frame every chart sits in: a title, a legend carrying the latest values, and a sized plot area.
import type { ReactNode } from 'react';

export interface LegendEntry {
  label: string;
  value: string;
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
  children: ReactNode;
}

export function ChartCard({ title, legend, className, actions, children }: ChartCardProps) {
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
      <div className="chart-plot">{children}</div>
    </section>
  );
}

/** Tooltip colours follow the theme through CSS variables; recharts takes them as inline styles. */
export const tooltipStyles = {
  contentStyle: {
    background: 'var(--surface-raised)',
    border: '1px solid var(--border)',
    borderRadius: 6,
    color: 'var(--text)',
    fontSize: 12,
    padding: '6px 8px',
  },
  labelStyle: { color: 'var(--text-muted)', marginBottom: 2 },
  itemStyle: { padding: 0 },
} as const;
