import { setTimeout as delay } from 'node:timers/promises';
import type { IndexVersion, IndexVersions } from './index-versions.js';

/**
 * Looks every `intervalMs` which version the alias serves and calls `onMove` when it is another
 * than the one last handed over (a rebuild switched, or an operator rolled back). Moves are
 * handled one at a time; a failed look (Qdrant down) is tried again at the next tick.
 */
export class AliasWatch {
  readonly #stop = new AbortController();
  #current: string | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly versions: IndexVersions,
    private readonly intervalMs: number,
    private readonly onMove: (version: IndexVersion) => Promise<void>,
  ) {}

  /** Starts watching; `current` is the version already handled. */
  start(current: string | undefined): void {
    this.#current = current;
    this.#running ??= this.#loop();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      await delay(this.intervalMs, undefined, { signal: this.#stop.signal }).catch(() => {});
      if (this.#stop.signal.aborted) return;
      const serving = await this.versions.serving().catch(() => undefined);
      if (!serving || serving.name === this.#current) continue;
      this.#current = serving.name;
      await this.onMove(serving);
    }
  }
}
