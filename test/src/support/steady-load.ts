import { setTimeout as delay } from 'node:timers/promises';
import type { EventTopic } from '@vsp/processors/testing';
import type { ProductEvent } from '@vsp/schemas';

export interface SteadyLoad {
  /** Events produced so far. */
  readonly sent: number;
  /** Stops producing and resolves with the number of events produced. */
  stop(): Promise<number>;
}

/**
 * Appends `perSecond` events to the topic in ticks of 100 ms until stopped: the traffic a
 * processor sees while a fault is injected. `eventAt(n)` makes the n-th event.
 */
export function steadyLoad(topic: EventTopic, perSecond: number, eventAt: (n: number) => ProductEvent): SteadyLoad {
  const perTick = Math.max(1, Math.round(perSecond / 10));
  let sent = 0;
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const tick = Date.now();
      await topic.produce(Array.from({ length: perTick }, (_, i) => eventAt(sent + i)));
      sent += perTick;
      await delay(Math.max(0, 100 - (Date.now() - tick)));
    }
  })();
  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      await running;
      return sent;
    },
  };
}

/**
 * Starts `perSecond` calls of `send` a second, in ticks of 10 ms, each on its own: a slow answer
 * does not slow the load down. `stop` ends it and resolves once every call has finished.
 */
export function steadyRequests(perSecond: number, send: () => Promise<void>): { stop(): Promise<void> } {
  let sending = true;
  const running = (async () => {
    const requests: Promise<void>[] = [];
    for (let tick = Date.now(); sending; tick += 10) {
      for (let i = 0; i < perSecond / 100; i++) requests.push(send());
      await delay(Math.max(0, tick + 10 - Date.now()));
    }
    await Promise.all(requests);
  })();
  return {
    async stop() {
      sending = false;
      await running;
    },
  };
}
