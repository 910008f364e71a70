// Server-rendered SVG charts: no chart library and no JavaScript in the browser. Each chart is
// a figure with a heading, an SVG named by its title and description (role="img"), and the same
// figures as a table inside <details>, which is what screen readers and phones read best. The
// SVG scales with its box (viewBox, width 100%) down to a legible minimum, below which it scrolls
// inside its own box: the page itself never scrolls sideways on a phone.

export type Series = { key: string; label: string; color: string };
export type StackedColumn = { key: string; label: string; values: Record<string, number>; total: number };

/** A round step for about `ticks` gridlines up to max (1, 2 or 5 × 10^n). */
export function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return Math.max(1, Math.round(step));
}

const WIDTH = 720;
const HEIGHT = 320;
const PAD = { top: 16, right: 12, bottom: 44, left: 124 };

/** Columns of stacked series (money per month per method); values in minor units. */
export function StackedBarChart(props: {
  id: string;
  title: string;
  description: string;
  series: Series[];
  columns: StackedColumn[];
  formatTick: (value: number) => string;
}) {
  const { id, series, columns } = props;
  const max = Math.max(0, ...columns.map((c) => c.total));
  const step = niceStep(max, 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (value: number) => PAD.top + plotH - (value / top) * plotH;
  const band = plotW / Math.max(1, columns.length);
  const barW = Math.min(40, band * 0.7);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  // Twelve columns need some width to stay legible: on a phone the chart scrolls inside its own box.
  return (
    // rtl only for the scroll box: a phone starts at the newest months, on the right.
    <div className="max-w-full overflow-x-auto [direction:rtl]" tabIndex={0} role="group" aria-label={props.title}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full min-w-[32rem] [direction:ltr]" role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.description}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} stroke="#e7e5e4" strokeWidth={1} />
            <text x={PAD.left - 8} y={y(tick)} textAnchor="end" dominantBaseline="middle" fontSize={15} fill="#57534e">
              {props.formatTick(tick)}
            </text>
          </g>
        ))}
        {columns.map((column, i) => {
          const x = PAD.left + i * band + (band - barW) / 2;
          let base = 0;
          return (
            <g key={column.key} data-column={column.key}>
              {series.map((s) => {
                const value = column.values[s.key] ?? 0;
                if (value <= 0) return null;
                const y0 = y(base);
                base += value;
                const y1 = y(base);
                return <rect key={s.key} x={x} y={y1} width={barW} height={Math.max(0.5, y0 - y1)} fill={s.color} />;
              })}
              <text x={x + barW / 2} y={HEIGHT - PAD.bottom + 18} textAnchor="middle" fontSize={13} fill="#44403c">
                {column.label}
              </text>
            </g>
          );
        })}
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} stroke="#78716c" strokeWidth={1} />
      </svg>
    </div>
  );
}

/**
 * Horizontal bars, one per row (pending/overdue, the funnel): the labels and figures are HTML text
 * at the page's size, the bars SVG, so a phone shows everything without scrolling or tiny type.
 */
export function HorizontalBarChart(props: {
  id: string;
  title: string;
  description: string;
  rows: { key: string; label: string; value: number; display: string; color: string }[];
}) {
  const max = Math.max(1, ...props.rows.map((r) => r.value));
  return (
    <div
      role="img"
      aria-labelledby={`${props.id}-title ${props.id}-desc`}
      className="grid max-w-2xl grid-cols-[minmax(0,7rem)_minmax(0,1fr)_auto] items-center gap-x-3 gap-y-2 sm:grid-cols-[12rem_minmax(0,1fr)_auto]"
    >
      <span id={`${props.id}-title`} className="sr-only">
        {props.title}
      </span>
      <span id={`${props.id}-desc`} className="sr-only">
        {props.description}
      </span>
      {props.rows.map((row) => (
        <div key={row.key} className="contents" data-row={row.key}>
          <span className="text-right text-sm text-stone-800 sm:text-base">{row.label}</span>
          <svg viewBox="0 0 100 10" preserveAspectRatio="none" className="h-7 w-full">
            {row.value > 0 && <rect width={Math.max(1, (row.value / max) * 100)} height={10} rx={0.8} fill={row.color} />}
          </svg>
          <span className="whitespace-nowrap text-sm font-semibold tabular-nums sm:text-base">{row.display}</span>
        </div>
      ))}
    </div>
  );
}
