import { type ICustomPartitioner, type Message, Partitioners } from 'kafkajs';

/**
 * kafkajs's default (Java-compatible murmur2) partitioner, remembering which partition it chose
 * for each message object, so the offset of every record in a batch can be told to its request.
 */
export function recordingPartitioner(chosen: WeakMap<Message, number>): ICustomPartitioner {
  return () => {
    const partition = Partitioners.DefaultPartitioner();
    return (args) => {
      const p = partition(args);
      chosen.set(args.message, p);
      return p;
    };
  };
}
