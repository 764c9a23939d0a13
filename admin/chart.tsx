import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { StatsSample } from '../shared/index.js';

/**
 * Throughput (tasks/s, left axis) and connected workers (right axis) over the samples given: a
 * uPlot chart drawn on a canvas, as wide as its box, with the latest figures in words beside it for
 * those who cannot see it.
 */
export function ThroughputChart({ samples }: { samples: readonly StatsSample[] }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height: 220,
        series: [
          {},
          { label: 'tasks/s', stroke: '#1f6feb', width: 2, fill: 'rgba(31, 111, 235, 0.12)', scale: 'rate' },
          { label: 'workers', stroke: '#b35900', width: 2, scale: 'workers' },
        ],
        axes: [{}, { scale: 'rate', label: 'tasks/s' }, { scale: 'workers', side: 1, label: 'workers', grid: { show: false } }],
        scales: { x: { time: true }, workers: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        legend: { show: true },
      },
      dataOf(samples),
      element,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 200), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = undefined;
    };
  }, []);

  useEffect(() => chart.current?.setData(dataOf(samples)), [samples]);

  const last = samples.at(-1);
  return (
    <figure class="chart">
      <figcaption>Throughput and workers, last hour</figcaption>
      <div ref={box} role="img" aria-label={last ? `Now ${last.tasksPerSecond.toFixed(1)} tasks per second with ${last.workers} workers` : 'No samples yet'} />
      {samples.length === 0 && <p class="empty">No samples yet: the coordinator takes one every 10 seconds.</p>}
    </figure>
  );
}

function dataOf(samples: readonly StatsSample[]): uPlot.AlignedData {
  return [samples.map((sample) => Date.parse(sample.time) / 1000), samples.map((sample) => sample.tasksPerSecond), samples.map((sample) => sample.workers)];
}
