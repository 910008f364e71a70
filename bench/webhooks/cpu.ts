// Where the CPU went during a phase, from Linux's /proc: the app server's process tree, the
// PostgreSQL cluster's, this load generator, and the whole machine (so a phase that shared the
// two cores with someone else's work says so). Best effort: elsewhere it reports nothing.
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Linux reports process times in clock ticks of 1/100 s on every common configuration. */
const TICK_MS = 10;

type Proc = { pid: number; ppid: number; user: number; system: number };

function readProcs(): Proc[] {
  if (!existsSync("/proc/self/stat")) return [];
  const procs: Proc[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.push({ pid: Number(name), ppid: Number(fields[1]), user: Number(fields[11]), system: Number(fields[12]) });
    } catch {
      // The process ended while we looked.
    }
  }
  return procs;
}

/** User and kernel ticks of a process and all its descendants. */
function treeTicks(procs: Proc[], root: number | undefined): { user: number; system: number } {
  const total = { user: 0, system: 0 };
  if (!root) return total;
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total.user += byPid.get(pid)?.user ?? 0;
    total.system += byPid.get(pid)?.system ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** The postmaster listening on this port: the process whose command line names `-p <port>`. */
export function findPostmaster(port: number): number | undefined {
  if (!existsSync("/proc/self/cmdline")) return undefined;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (!/postgres$/.test(args[0] ?? "")) continue;
      // pg_ctl passes the server its options as separate arguments: … -p <port> …
      const flag = args.indexOf("-p");
      if (flag >= 0 && args[flag + 1] === String(port)) return Number(name);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return undefined;
}

export type CpuSample = {
  app: number;
  appKernel: number;
  postgres: number;
  postgresKernel: number;
  client: number;
  machineBusy: number;
  machineTotal: number;
  at: number;
};

export function sampleCpu(appPid: number | undefined, postgresPid: number | undefined): CpuSample {
  const procs = readProcs();
  const machine = machineTicks();
  const client = process.cpuUsage();
  const app = treeTicks(procs, appPid);
  const postgres = treeTicks(procs, postgresPid);
  return {
    app: (app.user + app.system) * TICK_MS,
    appKernel: app.system * TICK_MS,
    postgres: (postgres.user + postgres.system) * TICK_MS,
    postgresKernel: postgres.system * TICK_MS,
    client: (client.user + client.system) / 1000,
    machineBusy: machine.busy,
    machineTotal: machine.total,
    at: performance.now(),
  };
}

/** CPU milliseconds spent between two samples, by whom, and the wall time they span. */
export type CpuSpent = { app: number; appKernel: number; postgres: number; postgresKernel: number; client: number; machine: number; wallMs: number };

export function cpuSpent(before: CpuSample, after: CpuSample): CpuSpent {
  const wallMs = after.at - before.at;
  const totalTicks = after.machineTotal - before.machineTotal;
  const busyShare = totalTicks > 0 ? (after.machineBusy - before.machineBusy) / totalTicks : 0;
  // Processes that ended in between make a tree's total go down: never count less than nothing.
  const delta = (key: "app" | "appKernel" | "postgres" | "postgresKernel") => Math.max(0, after[key] - before[key]);
  return {
    app: delta("app"),
    appKernel: delta("appKernel"),
    postgres: delta("postgres"),
    postgresKernel: delta("postgresKernel"),
    client: after.client - before.client,
    machine: busyShare * readCores() * wallMs,
    wallMs,
  };
}

export function addCpu(a: CpuSpent, b: CpuSpent): CpuSpent {
  return {
    app: a.app + b.app,
    appKernel: a.appKernel + b.appKernel,
    postgres: a.postgres + b.postgres,
    postgresKernel: a.postgresKernel + b.postgresKernel,
    client: a.client + b.client,
    machine: a.machine + b.machine,
    wallMs: a.wallMs + b.wallMs,
  };
}

export const noCpu: CpuSpent = { app: 0, appKernel: 0, postgres: 0, postgresKernel: 0, client: 0, machine: 0, wallMs: 0 };

export type CpuUse = {
  /** CPU milliseconds per request, by whom. */
  perRequestMs: { app: number; postgres: number; loadGenerator: number; other: number };
  /** How much of the app's and PostgreSQL's CPU was spent in the kernel (sockets, scheduling). */
  kernelShare: { app: number; postgres: number };
  /** Average cores busy during the phase, by whom (the machine has os.cpus().length). */
  coresBusy: { app: number; postgres: number; loadGenerator: number; other: number; machine: number };
};

export function cpuUse(spent: CpuSpent, requests: number): CpuUse {
  const other = Math.max(0, spent.machine - spent.app - spent.postgres - spent.client);
  const per = (ms: number) => round(requests > 0 ? ms / requests : 0, 3);
  const busy = (ms: number) => round(spent.wallMs > 0 ? ms / spent.wallMs : 0, 2);
  return {
    perRequestMs: { app: per(spent.app), postgres: per(spent.postgres), loadGenerator: per(spent.client), other: per(other) },
    kernelShare: {
      app: round(spent.app > 0 ? spent.appKernel / spent.app : 0, 2),
      postgres: round(spent.postgres > 0 ? spent.postgresKernel / spent.postgres : 0, 2),
    },
    coresBusy: { app: busy(spent.app), postgres: busy(spent.postgres), loadGenerator: busy(spent.client), other: busy(other), machine: busy(spent.machine) },
  };
}

function readCores(): number {
  try {
    const stat = readFileSync("/proc/stat", "utf8");
    return stat.split("\n").filter((l) => /^cpu\d+ /.test(l)).length || 1;
  } catch {
    return 1;
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
