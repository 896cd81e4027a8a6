import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const SAMPLE_MS = 100;

interface Sample {
  at: number;
  /** Core-seconds the whole machine was busy (every process, the kernel too) since boot. */
  busy: number;
  /** This process's own core-seconds. */
  own: number;
}

export interface CpuSpan {
  seconds: number;
  /** Cores' worth of work the machine did on average over the span (at most `cores`). */
  machineCores: number;
  /** Of it, this process's share. */
  ownCores: number;
}

/**
 * Samples how busy the whole machine is (Linux /proc/stat) and this process, so a benchmark can
 * say afterwards how much of the machine's cores each phase of a run took: a phase that used
 * them all is bounded by the machine, one that did not by waiting.
 */
export class MachineCpu {
  static readonly cores = availableParallelism();
  readonly #samples: Sample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor() {
    this.#take();
    this.#timer = setInterval(() => this.#take(), SAMPLE_MS);
  }

  /** Marks now, for span(); also taken as a sample. */
  mark(): number {
    this.#take();
    return performance.now();
  }

  /** The machine's and this process's work between two marks (milliseconds of performance.now()). */
  span(from: number, to: number): CpuSpan {
    const first = this.#nearest(from);
    const last = this.#nearest(to);
    const seconds = Math.max((last.at - first.at) / 1000, 1e-3);
    return { seconds, machineCores: (last.busy - first.busy) / seconds, ownCores: (last.own - first.own) / seconds };
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #take(): void {
    const usage = process.cpuUsage();
    this.#samples.push({ at: performance.now(), busy: machineBusySeconds(), own: (usage.user + usage.system) / 1e6 });
  }

  #nearest(at: number): Sample {
    return this.#samples.reduce((best, s) => (Math.abs(s.at - at) < Math.abs(best.at - at) ? s : best));
  }
}

/** The first line of /proc/stat counts every core's time in clock ticks (USER_HZ, 100 on Linux); idle and iowait are not busy. */
function machineBusySeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] as string)
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as number[];
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}
