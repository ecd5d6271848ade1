import type { ComponentChildren } from 'preact';
import { formatNumber, t } from '../i18n.ts';
import { TableWrap } from '../ui/common.tsx';

/**
 * Small accessible charts as inline SVG: each is a <figure> with a caption, an SVG with role="img"
 * and a text alternative, and the same numbers as a table (under "Show the numbers").
 */

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;

const percent = (v: number | null | undefined) => (v == null ? '—' : `${formatNumber(v * 100, 1)} %`);

function Figure(props: {
  title: string;
  summary: string;
  table: ComponentChildren;
  children: ComponentChildren;
  testId?: string;
}) {
  return (
    <figure class="figure" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {props.children}
      <p class="hint">{props.summary}</p>
      <details>
        <summary>{t('charts.showNumbers')}</summary>
        <TableWrap label={props.title}>{props.table}</TableWrap>
      </details>
    </figure>
  );
}

export interface Series {
  name: string;
  points: { x: string; y: number | null }[];
}

/** A time series: one or two lines over the buckets. */
export function LineChart(props: {
  title: string;
  series: Series[];
  format?: (v: number) => string;
  max?: number;
  testId?: string;
}) {
  const width = 640;
  const height = 220;
  const pad = { left: 48, right: 12, top: 12, bottom: 36 };
  const xs = props.series[0]?.points.map((p) => p.x) ?? [];
  const values = props.series.flatMap((s) => s.points.map((p) => p.y).filter((v): v is number => v != null));
  const max = props.max ?? Math.max(1, ...values);
  const fmt = props.format ?? ((v: number) => formatNumber(v));
  const x = (i: number) =>
    pad.left + (xs.length <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (xs.length - 1));
  const y = (v: number) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const titleId = nextId('chart-title');
  const ticks = [0, 0.5, 1].map((f) => f * max);
  const labelEvery = Math.max(1, Math.ceil(xs.length / 8));
  const summary = props.series
    .map((s) => {
      const last = [...s.points].reverse().find((p) => p.y != null);
      return last ? t('charts.latest', { name: s.name, x: last.x, y: fmt(last.y!) }) : `${s.name}: —`;
    })
    .join(' ');
  return (
    <Figure
      title={props.title}
      summary={summary}
      testId={props.testId}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">{t('charts.period')}</th>
              {props.series.map((s) => (
                <th scope="col" key={s.name}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {xs.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {props.series.map((s) => (
                  <td key={s.name}>{s.points[i]?.y == null ? '—' : fmt(s.points[i]!.y!)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${props.title}. ${summary}`}</title>
        {ticks.map((v) => (
          <g key={v}>
            <line class="grid" x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} />
            <text x={pad.left - 6} y={y(v) + 4} text-anchor="end">
              {fmt(v)}
            </text>
          </g>
        ))}
        <line
          class="axis"
          x1={pad.left}
          x2={width - pad.right}
          y1={height - pad.bottom}
          y2={height - pad.bottom}
        />
        {xs.map((label, i) =>
          i % labelEvery === 0 ? (
            <text key={label} x={x(i)} y={height - pad.bottom + 16} text-anchor="middle">
              {label.slice(5) || label}
            </text>
          ) : null,
        )}
        {props.series.map((s, si) => {
          const segments: string[] = [];
          let d = '';
          s.points.forEach((p, i) => {
            if (p.y == null) {
              if (d) segments.push(d);
              d = '';
              return;
            }
            d += `${d ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.y).toFixed(1)}`;
          });
          if (d) segments.push(d);
          return (
            <g key={s.name} class={`series-${si}`}>
              {segments.map((path) => (
                <path key={path} class="line" d={path} stroke-dasharray={si === 1 ? '6 4' : undefined} />
              ))}
              {s.points.map((p, i) =>
                p.y == null ? null : <circle key={p.x} cx={x(i)} cy={y(p.y)} r={3} />,
              )}
            </g>
          );
        })}
        {props.series.length > 1
          ? props.series.map((s, si) => (
              <g key={s.name} class={`series-${si}`}>
                <line
                  x1={pad.left + si * 180}
                  x2={pad.left + si * 180 + 24}
                  y1={height - 6}
                  y2={height - 6}
                  stroke-width={3}
                  stroke-dasharray={si === 1 ? '6 4' : undefined}
                />
                <text x={pad.left + si * 180 + 30} y={height - 2}>
                  {s.name}
                </text>
              </g>
            ))
          : null}
      </svg>
    </Figure>
  );
}

export interface RateRow {
  label: string;
  /** null with `suppressed` for a hidden cell. */
  value: number | null;
  ci: { lower: number; upper: number } | null;
  n?: number | null;
  suppressed: boolean;
}

/** Horizontal bars for proportions with Wilson 95 % whiskers; suppressed cells drawn hatched and named. */
export function RateBars(props: { title: string; rows: RateRow[]; flagged?: boolean; testId?: string }) {
  const width = 640;
  const rowHeight = 30;
  const left = 150;
  const right = 70;
  const height = props.rows.length * rowHeight + 28;
  const x = (v: number) => left + v * (width - left - right);
  const titleId = nextId('chart-title');
  const summary = props.rows
    .map((r) =>
      r.suppressed ? `${r.label}: ${t('indicators.suppressed')}` : `${r.label}: ${percent(r.value)}`,
    )
    .join('; ');
  return (
    <Figure
      title={props.title}
      summary={props.flagged ? `${t('charts.disparityFlag')} ${summary}` : summary}
      testId={props.testId}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">{t('charts.group')}</th>
              <th scope="col">{t('charts.rate')}</th>
              <th scope="col">{t('charts.interval')}</th>
              <th scope="col">n</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {r.suppressed ? (
                  <td colSpan={3} class="suppressed">
                    {t('indicators.suppressed')}
                  </td>
                ) : (
                  <>
                    <td>{percent(r.value)}</td>
                    <td>{r.ci ? `${percent(r.ci.lower)} – ${percent(r.ci.upper)}` : '—'}</td>
                    <td>{r.n ?? '—'}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${props.title}. ${summary}`}</title>
        {[0, 0.5, 1].map((v) => (
          <g key={v}>
            <line class="grid" x1={x(v)} x2={x(v)} y1={4} y2={height - 20} />
            <text x={x(v)} y={height - 6} text-anchor="middle">
              {`${v * 100} %`}
            </text>
          </g>
        ))}
        {props.rows.map((r, i) => {
          const top = 6 + i * rowHeight;
          return (
            <g key={r.label}>
              <text x={left - 8} y={top + 16} text-anchor="end">
                {r.label.length > 20 ? `${r.label.slice(0, 19)}…` : r.label}
              </text>
              {r.suppressed ? (
                <>
                  <rect
                    class="hatch"
                    x={left}
                    y={top + 4}
                    width={width - left - right}
                    height={rowHeight - 12}
                  />
                  <text x={left + 8} y={top + 16}>
                    {t('indicators.suppressed')}
                  </text>
                </>
              ) : r.value == null ? (
                <text x={left + 4} y={top + 16}>
                  —
                </text>
              ) : (
                <>
                  <rect
                    class="bar"
                    x={left}
                    y={top + 4}
                    width={Math.max(1, x(r.value) - left)}
                    height={rowHeight - 12}
                  />
                  {r.ci ? (
                    <g class="whisker">
                      <line
                        class="whisker"
                        x1={x(r.ci.lower)}
                        x2={x(r.ci.upper)}
                        y1={top + 10 + 0}
                        y2={top + 10}
                      />
                      <line
                        class="whisker"
                        x1={x(r.ci.lower)}
                        x2={x(r.ci.lower)}
                        y1={top + 5}
                        y2={top + 15}
                      />
                      <line
                        class="whisker"
                        x1={x(r.ci.upper)}
                        x2={x(r.ci.upper)}
                        y1={top + 5}
                        y2={top + 15}
                      />
                    </g>
                  ) : null}
                  <text x={width - right + 6} y={top + 16}>
                    {percent(r.value)}
                  </text>
                </>
              )}
            </g>
          );
        })}
      </svg>
    </Figure>
  );
}

export interface RepresentationRow {
  label: string;
  share: number | null;
  baseline: number | null;
  ratio: number | null;
  suppressed: boolean;
}

/** Each group's share of inquiries against its population share (dashed mark). */
export function RepresentationBars(props: { title: string; rows: RepresentationRow[]; testId?: string }) {
  const width = 640;
  const rowHeight = 30;
  const left = 150;
  const right = 70;
  const height = props.rows.length * rowHeight + 28;
  const max = Math.max(0.5, ...props.rows.flatMap((r) => [r.share ?? 0, r.baseline ?? 0]));
  const x = (v: number) => left + (v / max) * (width - left - right);
  const titleId = nextId('chart-title');
  const summary = props.rows
    .map((r) =>
      r.suppressed
        ? `${r.label}: ${t('indicators.suppressed')}`
        : t('charts.representation', {
            group: r.label,
            share: percent(r.share),
            baseline: percent(r.baseline),
          }),
    )
    .join('; ');
  return (
    <Figure
      title={props.title}
      summary={summary}
      testId={props.testId}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">{t('charts.group')}</th>
              <th scope="col">{t('charts.share')}</th>
              <th scope="col">{t('charts.baseline')}</th>
              <th scope="col">{t('charts.ratio')}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {r.suppressed ? (
                  <td colSpan={1} class="suppressed">
                    {t('indicators.suppressed')}
                  </td>
                ) : (
                  <td>{percent(r.share)}</td>
                )}
                <td>{percent(r.baseline)}</td>
                <td>{r.ratio == null ? '—' : formatNumber(r.ratio, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${props.title}. ${summary}`}</title>
        {props.rows.map((r, i) => {
          const top = 6 + i * rowHeight;
          return (
            <g key={r.label}>
              <text x={left - 8} y={top + 16} text-anchor="end">
                {r.label.length > 20 ? `${r.label.slice(0, 19)}…` : r.label}
              </text>
              {r.suppressed ? (
                <>
                  <rect
                    class="hatch"
                    x={left}
                    y={top + 4}
                    width={width - left - right}
                    height={rowHeight - 12}
                  />
                  <text x={left + 8} y={top + 16}>
                    {t('indicators.suppressed')}
                  </text>
                </>
              ) : (
                <rect
                  class="bar"
                  x={left}
                  y={top + 4}
                  width={Math.max(1, x(r.share ?? 0) - left)}
                  height={rowHeight - 12}
                />
              )}
              {r.baseline != null ? (
                <line
                  class="baseline"
                  x1={x(r.baseline)}
                  x2={x(r.baseline)}
                  y1={top + 1}
                  y2={top + rowHeight - 5}
                />
              ) : null}
            </g>
          );
        })}
        <line class="baseline" x1={left} x2={left + 24} y1={height - 8} y2={height - 8} />
        <text x={left + 30} y={height - 4}>
          {t('charts.baseline')}
        </text>
      </svg>
    </Figure>
  );
}
