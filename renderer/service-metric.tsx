// A service's first rule's metric in its overview row, following the stream's samples: snapshots come only when
// something changes, so a figure read from them would stand still under a steady load. Written in the overview's
// frame, outside React, like the row's sparkline.
import { memo, useLayoutEffect, useRef } from 'react';
import type { Sample, Settings } from '../electron/contract/contract.js';
import { metricReading } from './service-figures.js';
import type { ServiceSamples } from './service-samples.js';

export interface ServiceMetricProps {
  samples: ServiceSamples;
  service: string;
  settings: Settings;
  /** The snapshot's latest sample of the service, shown until the stream brings a newer one. */
  sample: Sample | null;
}

export const ServiceMetric = memo(function ServiceMetric({ samples, service, settings, sample }: ServiceMetricProps) {
  const value = useRef<HTMLSpanElement | null>(null);
  useLayoutEffect(() => {
    let shown: string | null = null;
    const draw = () => {
      const latest = samples.trend(service)?.latest();
      const reading = metricReading({ settings, sample: latest && (!sample || latest.at >= sample.at) ? latest : sample });
      const key = `${reading.zone} ${reading.now}`;
      if (key === shown || !value.current) return;
      shown = key;
      value.current.textContent = reading.now;
      value.current.className = `metric-now zone-${reading.zone}`;
    };
    draw();
    return samples.frame.add(draw);
  }, [samples, service, settings, sample]);
  const reading = metricReading({ settings, sample });
  return (
    <>
      <span className="metric-name">{reading.name}</span> <span ref={value} className="metric-now" />{' '}
      <span className="metric-against">{reading.against}</span>
    </>
  );
});
