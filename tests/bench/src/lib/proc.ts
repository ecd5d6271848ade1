import { readdirSync, readFileSync } from 'node:fs';

/** CPU ticks of the whole machine (/proc/stat, first line). */
function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const all = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: cpu[3]! + cpu[4]!, steal: cpu[7]!, all };
}

function processTicks(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const r = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(r[11]) + Number(r[12]);
  } catch {
    return 0;
  }
}

function groupTicks(prefix: string): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
      if (comm.startsWith(prefix)) total += processTicks(Number(d));
    } catch {}
  }
  return total;
}

export interface CpuWindow {
  /** Hypervisor steal, % of all CPU time in the window. */
  stealPct: number;
  /** Busy (not idle, not steal), % of both cores. */
  busyPct: number;
  /** Cores used by each named process and by PostgreSQL / Redis as a whole. */
  cores: Record<string, number>;
  loadavg: number;
}

/** Measures steal and the CPU split between two points in time. */
export function cpuWindow(pids: Record<string, number>) {
  const t0 = Date.now();
  const m0 = machineTicks();
  const p0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, processTicks(pid)]));
  const pg0 = groupTicks('postgres');
  const rd0 = groupTicks('redis-server');
  return (): CpuWindow => {
    const secs = (Date.now() - t0) / 1000;
    const m1 = machineTicks();
    const all = m1.all - m0.all || 1;
    const cores: Record<string, number> = {};
    for (const [k, pid] of Object.entries(pids)) cores[k] = (processTicks(pid) - p0[k]!) / 100 / secs;
    // Summed over the processes alive at each end: backends that exit in between make this
    // under-count (it can even go negative on a busy shared machine); a rough figure.
    cores.postgres = Math.max(0, (groupTicks('postgres') - pg0) / 100 / secs);
    cores.redis = Math.max(0, (groupTicks('redis-server') - rd0) / 100 / secs);
    const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    return {
      stealPct: (100 * (m1.steal - m0.steal)) / all,
      busyPct: 100 * (1 - (m1.idle - m0.idle + m1.steal - m0.steal) / all),
      cores,
      loadavg: load,
    };
  };
}

export function formatCpu(w: CpuWindow): string {
  const cores = Object.entries(w.cores)
    .map(([k, v]) => `${k}=${v.toFixed(2)}`)
    .join(' ');
  return `steal=${w.stealPct.toFixed(1)}% busy=${w.busyPct.toFixed(0)}% load1=${w.loadavg} cores: ${cores}`;
}

/** Samples a process's resident set size; `stop()` returns the peak in MB. */
export function rssSampler(pid: number, everyMs = 100) {
  let peak = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb);
    } catch {}
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop(): number {
      clearInterval(timer);
      sample();
      return peak / 1024;
    },
  };
}
