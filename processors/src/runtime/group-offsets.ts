import type { Admin } from 'kafkajs';
import { GroupActiveError, OffsetTargetInvalidError } from '../errors.js';

/** Where a consumer group stands on one partition. */
export interface PartitionPosition {
  partition: number;
  /** The first offset still in the log, and the one the next record will get. */
  low: number;
  high: number;
  /** The group's committed offset (the next record it will read); -1: none yet. */
  committed: number;
  /** Records between the group's position and the end. */
  lag: number;
}

/** The group's position on every partition of the topic. */
export async function readGroupPosition(admin: Admin, groupId: string, topic: string): Promise<PartitionPosition[]> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committedOf = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  return ends
    .map(({ partition, low, high }) => {
      const position = { partition, low: Number(low), high: Number(high), committed: committedOf.get(partition) ?? -1 };
      return { ...position, lag: position.high - Math.max(position.committed, position.low) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/**
 * Where `--to` points: `earliest`, `latest`, an ISO time (the first record at or after it on each
 * partition), or explicit `partition:offset` pairs separated by commas.
 */
export type OffsetTarget = 'earliest' | 'latest' | { time: number } | { offsets: Map<number, number> };

export function parseOffsetTarget(text: string): OffsetTarget {
  if (text === 'earliest' || text === 'latest') return text;
  if (/^\d+:\d+(,\d+:\d+)*$/.test(text)) {
    return { offsets: new Map(text.split(',').map((pair) => pair.split(':').map(Number) as [number, number])) };
  }
  const time = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(time)) return { time };
  throw new OffsetTargetInvalidError(
    `--to ${text}: expected earliest, latest, an ISO time (2026-11-28T10:00:00Z) or partition:offset pairs (0:120,1:98)`,
  );
}

/**
 * Moves a stopped group's committed offsets, so that its next run reads from there. Refuses while
 * the group has members: Kafka would reject the commit, and a running consumer would overwrite it.
 * Returns each partition's offset before and after.
 */
export async function resetGroupOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  target: OffsetTarget,
): Promise<{ partition: number; from: number; to: number }[]> {
  const {
    groups: [group],
  } = await admin.describeGroups([groupId]);
  if (group && group.members.length > 0) {
    throw new GroupActiveError(
      `group ${groupId} has ${group.members.length} running member(s) (${group.members.map((m) => m.clientId).join(', ')}): stop its processors first`,
    );
  }
  const positions = await readGroupPosition(admin, groupId, topic);
  const offsets = await targetOffsets(admin, topic, positions, target);
  await admin.setOffsets({
    groupId,
    topic,
    partitions: offsets.map(({ partition, to }) => ({ partition, offset: String(to) })),
  });
  return offsets;
}

async function targetOffsets(admin: Admin, topic: string, positions: PartitionPosition[], target: OffsetTarget) {
  const pick = async (): Promise<Map<number, number>> => {
    if (target === 'earliest') return new Map(positions.map((p) => [p.partition, p.low]));
    if (target === 'latest') return new Map(positions.map((p) => [p.partition, p.high]));
    if ('time' in target) {
      const found = await admin.fetchTopicOffsetsByTimestamp(topic, target.time);
      return new Map(found.map((p) => [p.partition, Number(p.offset)]));
    }
    return target.offsets;
  };
  const chosen = await pick();
  for (const [partition, offset] of chosen) {
    const position = positions.find((p) => p.partition === partition);
    if (!position) {
      throw new OffsetTargetInvalidError(`${topic} has no partition ${partition}`);
    }
    if (offset < position.low || offset > position.high) {
      throw new OffsetTargetInvalidError(
        `offset ${offset} is outside partition ${partition}'s ${position.low}..${position.high}`,
      );
    }
  }
  return positions
    .filter((p) => chosen.has(p.partition))
    .map((p) => ({ partition: p.partition, from: p.committed, to: chosen.get(p.partition) as number }));
}
