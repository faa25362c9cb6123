import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time spent by each part of the machine, read from /proc. On two cores
 * Node, RabbitMQ and PostgreSQL share the CPU, so a rate alone says little:
 * the CPU each component spends per record holds across the day-to-day drift
 * of this machine's speed, and shows where a microsecond went.
 */
export const COMPONENTS = ['logyard', 'rabbitmq', 'postgres', 'bench', 'other'] as const;
export type Component = (typeof COMPONENTS)[number];
export type CpuSample = Record<Component, number>;

/** Kernel clock ticks per second for the /proc tick counters (USER_HZ, 100 on Linux x86). */
const TICK_US = 1e6 / 100;

interface ProcessTicks {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the process itself. */
  own: number;
  /** cutime + cstime: what its waited-for children spent, once they exited. */
  children: number;
}

function readProcess(pid: number): ProcessTicks | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited between the listing and the read
  }
  // comm is in parentheses and may itself hold spaces or parentheses: the fields resume after the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): ppid is field 4, utime..cstime fields 14..17.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return { pid, ppid: Number(fields[1]), comm, own: utime + stime, children: cutime + cstime };
}

function allProcesses(): ProcessTicks[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessTicks => p !== undefined);
}

/** Busy ticks of the whole machine: everything but idle and iowait. */
function machineBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return user + nice + system + irq + softirq + steal;
}

/**
 * A process group's CPU so far: its live members' own time, plus what its
 * exited members spent as seen from the group's root. PostgreSQL backends
 * come and go with connections; once reaped, their time is in the
 * postmaster's cutime, so a difference of two samples counts a backend's
 * whole life exactly once whether it lived across the interval or not.
 */
function groupTicks(processes: ProcessTicks[], isMember: (p: ProcessTicks) => boolean): number {
  const members = processes.filter(isMember);
  const memberPids = new Set(members.map((p) => p.pid));
  return members.reduce((sum, p) => sum + p.own + (memberPids.has(p.ppid) ? 0 : p.children), 0);
}

/** CPU µs spent so far by Logyard (the given pids), RabbitMQ, PostgreSQL, this bench, and the rest. */
export function sampleCpu(logyardPids: readonly number[]): CpuSample {
  const processes = allProcesses();
  const logyard = new Set(logyardPids);
  const ticks = {
    logyard: groupTicks(processes, (p) => logyard.has(p.pid)),
    // beam.smp is the Erlang VM; its port helpers (erl_child_setup, inet_gethost) are noise.
    rabbitmq: groupTicks(processes, (p) => p.comm === 'beam.smp'),
    postgres: groupTicks(processes, (p) => p.comm === 'postgres'),
    bench: groupTicks(processes, (p) => p.pid === process.pid),
  };
  const known = ticks.logyard + ticks.rabbitmq + ticks.postgres + ticks.bench;
  const sample = { ...ticks, other: machineBusyTicks() - known };
  return Object.fromEntries(COMPONENTS.map((c) => [c, sample[c] * TICK_US])) as CpuSample;
}

/** CPU µs per record of each component between two samples. */
export function cpuPerRecord(before: CpuSample, after: CpuSample, records: number): CpuSample {
  return Object.fromEntries(COMPONENTS.map((c) => [c, (after[c] - before[c]) / records])) as CpuSample;
}
