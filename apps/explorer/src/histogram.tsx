import type { Histogram, Severity } from '@logyard/contracts';
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import { SEVERITIES } from '../../../libs/contracts/src/severity';
import { SEVERITY_COLOURS } from './severity';

const HEIGHT = 140;
type UPlot = typeof uPlot;

/**
 * uPlot is half the page's script, and the chart is drawn after the rows: loaded apart, once the first
 * histogram is in, its download and parsing stay off the way to a deep link's first rows.
 */
let library: Promise<UPlot> | undefined;
const loadUPlot = () => (library ??= import('uplot').then((module) => module.default));
// Tallest stack first: each later series paints its lower part over the one before.
const STACK_ORDER: Severity[] = [...SEVERITIES].reverse();

interface HistogramProps {
  histogram: Histogram | undefined;
  /** Called with the ISO ends of the range dragged across the chart. */
  onZoom(from: string, to: string): void;
}

/** Records over time, stacked by severity (uPlot bars); drag across it to zoom into a sub-range. */
export function HistogramChart({ histogram, onZoom }: HistogramProps) {
  const container = useRef<HTMLDivElement>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    const element = container.current;
    if (!element || !histogram) return;
    let dispose: (() => void) | undefined;
    let gone = false;
    void loadUPlot().then((UPlot) => {
      if (gone) return;
      const plot = new UPlot(
        options(UPlot, element.clientWidth, (from, to) => zoom.current(from, to)),
        stacked(histogram),
        element,
      );
      const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: HEIGHT }));
      resize.observe(element);
      dispose = () => {
        resize.disconnect();
        plot.destroy();
      };
    });
    return () => {
      gone = true;
      dispose?.();
    };
  }, [histogram]);

  const total = histogram?.buckets.reduce(
    (sum, b) => sum + Object.values(b.counts).reduce((s, n) => s + (n ?? 0), 0),
    0,
  );
  return (
    <figure class="histogram">
      <figcaption>
        <span>
          {total === undefined ? 'Counting…' : `${total.toLocaleString('en')} records`}
          {histogram ? ` · ${histogram.interval} buckets · drag across the chart to zoom` : ''}
        </span>
        <ul class="legend" aria-label="Severity colours">
          {SEVERITIES.map((severity) => (
            <li key={severity}>
              <span class="swatch" style={{ background: SEVERITY_COLOURS[severity] }} />
              {severity}
            </li>
          ))}
        </ul>
      </figcaption>
      <div ref={container} class="chart" role="img" aria-label="Records over time, stacked by severity" />
    </figure>
  );
}

/** uPlot's columns: bucket starts in seconds, then running totals from the highest severity down. */
function stacked(histogram: Histogram): uPlot.AlignedData {
  const xs = histogram.buckets.map((bucket) => Date.parse(bucket.ts) / 1000);
  const columns = STACK_ORDER.map((top) =>
    histogram.buckets.map((bucket) =>
      SEVERITIES.slice(0, SEVERITIES.indexOf(top) + 1).reduce((sum, s) => sum + (bucket.counts[s] ?? 0), 0),
    ),
  );
  return [xs, ...columns];
}

/** Tick labels in UTC, 24-hour, like the list: the time of day, with the date once ticks span days. */
function utcLabels(_u: uPlot, splits: number[]): string[] {
  const spansDays = splits.length > 1 && splits[splits.length - 1] - splits[0] >= 86_400;
  return splits.map((seconds) => {
    const iso = new Date(seconds * 1000).toISOString();
    return spansDays ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
  });
}

function options(UPlot: UPlot, width: number, onZoom: (from: string, to: string) => void): uPlot.Options {
  const bars = UPlot.paths.bars?.({ size: [0.9, 64], align: 1 });
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    // The list and the range controls show UTC; the axis agrees with them.
    tzDate: (seconds) => UPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [
      { stroke: 'currentColor', grid: { show: false }, ticks: { stroke: 'currentColor' }, values: utcLabels },
      { stroke: 'currentColor', size: 48, grid: { stroke: 'rgba(128,128,128,0.25)' } },
    ],
    series: [
      { label: 'time' },
      ...STACK_ORDER.map((severity) => ({
        label: severity,
        fill: SEVERITY_COLOURS[severity],
        stroke: SEVERITY_COLOURS[severity],
        width: 0,
        paths: bars,
        points: { show: false },
      })),
    ],
    hooks: {
      setSelect: [
        (u: uPlot) => {
          if (u.select.width < 3) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          onZoom(new Date(from * 1000).toISOString(), new Date(to * 1000).toISOString());
        },
      ],
    },
  };
}
