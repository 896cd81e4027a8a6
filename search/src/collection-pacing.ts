import { setFlagsFromString } from 'node:v8';

/**
 * Lets this process's heap grow to four times what survived the last full collection before the
 * next one starts. V8 derives that growth from how fast its collector runs against how fast the
 * program allocates, and for this service, whose main thread mostly waits on libvips, the
 * inference worker and Qdrant, it chose about 1.3: a full collection began almost as soon as the
 * last had ended, one every 13–15 searches by photo, each pausing the thread for 1–9 ms, and each
 * of the slowest 1% of searches held one. Over 4,000 searches by photo against a lone Qdrant
 * (2026-12-06), with the images' float input already made in the worker: 93 full collections and
 * a query stage p99 of 6.1–6.3 ms without this, 13 and 4.2–4.9 ms with it. About 30 MB stays live,
 * so the heap may now reach ~140 MB. V8 reads the flag at every full collection, so setting it at
 * start is enough.
 */
export function paceCollectionsForLatency(): void {
  setFlagsFromString('--heap-growing-percent=300');
}
