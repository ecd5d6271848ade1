import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import type { CaseSummary } from './types.ts';

/** Share of the window left at which a clock turns yellow (the "yellow card"). */
const WARNING_SHARE = 0.2;

export type SlaState = 'ok' | 'warning' | 'breached' | 'paused' | 'none';

export function slaOf(
  c: CaseSummary,
  now: number,
): { state: SlaState; due: string | null; minutesLeft: number } {
  const due = c.firstRespondedAt ? c.resolutionDueAt : c.firstResponseDueAt;
  if (!due) return { state: 'none', due: null, minutesLeft: 0 };
  const dueAt = Date.parse(due);
  const minutesLeft = Math.round((dueAt - now) / 60_000);
  if (c.slaPaused) return { state: 'paused', due, minutesLeft };
  if (dueAt <= now) return { state: 'breached', due, minutesLeft };
  const window = dueAt - Date.parse(c.createdAt);
  return { state: dueAt - now <= window * WARNING_SHARE ? 'warning' : 'ok', due, minutesLeft };
}

function duration(minutes: number): string {
  const m = Math.abs(minutes);
  const h = Math.floor(m / 60);
  return h ? t('sla.hoursMinutes', { h, m: m % 60 }) : t('sla.minutes', { m });
}

/** The SLA countdown: green, yellow before the deadline, red after it; text says the same as the colour. */
export function SlaBadge(props: { c: CaseSummary }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const sla = slaOf(props.c, now);
  if (sla.state === 'none') return null;
  const which = props.c.firstRespondedAt ? t('sla.resolution') : t('sla.firstResponse');
  const text =
    sla.state === 'paused'
      ? t('sla.paused')
      : sla.state === 'breached'
        ? t('sla.breached', { d: duration(sla.minutesLeft) })
        : sla.state === 'warning'
          ? t('sla.warning', { d: duration(sla.minutesLeft) })
          : t('sla.left', { d: duration(sla.minutesLeft) });
  return (
    <span class={`badge sla--${sla.state}`} data-sla={sla.state} title={sla.due ?? undefined}>
      {which}: {text}
    </span>
  );
}
