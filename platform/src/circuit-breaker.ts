import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'half-open' | 'open';

/** The value of a `*_breaker_state` gauge, the same in every process. */
export const BREAKER_GAUGE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface BreakerOptions {
  /** A call slower than this counts as failed. */
  timeoutMs: number;
  /** Once open, refuse at once for this long, then let one call through as a probe. */
  resetMs: number;
  errorPercent: number;
  volumeThreshold: number;
  /** Failures that say nothing about the dependency (bad data) and must not open the breaker. */
  ignore?: (error: unknown) => boolean;
  onChange?: (state: BreakerState) => void;
}

/**
 * The breaker every process puts in front of the dependency it cannot work without (the
 * ingress's Kafka, each processor's sink), from the shared BREAKER_* settings.
 */
export function createBreaker<A extends unknown[], R>(
  work: (...args: A) => Promise<R>,
  options: BreakerOptions,
): CircuitBreaker<A, R> {
  const breaker = new CircuitBreaker(work, {
    timeout: options.timeoutMs,
    resetTimeout: options.resetMs,
    errorThresholdPercentage: options.errorPercent,
    volumeThreshold: options.volumeThreshold,
    ...(options.ignore ? { errorFilter: options.ignore } : {}),
  });
  const { onChange } = options;
  if (onChange) {
    breaker.on('open', () => onChange('open'));
    breaker.on('halfOpen', () => onChange('half-open'));
    breaker.on('close', () => onChange('closed'));
  }
  return breaker;
}

export function breakerState(breaker: CircuitBreaker): BreakerState {
  return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';
}
