/**
 * The broker error types (`UNKNOWN_TOPIC_OR_PARTITION`, `NOT_ENOUGH_REPLICAS`, …) and kafkajs error
 * names (`KafkaJSConnectionError`, …) anywhere in a kafkajs error's chain: kafkajs wraps the
 * broker's answer in retry and request errors, as `cause` or `originalError`.
 */
export function kafkaErrorTypes(error: unknown): Set<string> {
  const types = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (e: unknown) => {
    if (typeof e !== 'object' || e === null || seen.has(e)) return;
    seen.add(e);
    const { type, name, cause, originalError } = e as {
      type?: unknown;
      name?: unknown;
      cause?: unknown;
      originalError?: unknown;
    };
    if (typeof type === 'string') types.add(type);
    if (typeof name === 'string') types.add(name);
    visit(cause);
    visit(originalError);
  };
  visit(error);
  return types;
}
