/**
 * The broker error types (`UNKNOWN_TOPIC_OR_PARTITION`, `NOT_ENOUGH_REPLICAS`, …) anywhere in a
 * kafkajs error's chain: kafkajs wraps the broker's answer in retry and request errors, as `cause`
 * or `originalError`.
 */
export function kafkaErrorTypes(error: unknown): Set<string> {
  const types = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (e: unknown) => {
    if (typeof e !== 'object' || e === null || seen.has(e)) return;
    seen.add(e);
    const { type, cause, originalError } = e as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof type === 'string') types.add(type);
    visit(cause);
    visit(originalError);
  };
  visit(error);
  return types;
}
