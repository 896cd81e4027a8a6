/** kafkajs' own record filter, used by its consumer; it ships no types for it. */
declare module 'kafkajs/src/consumer/batch.js' {
  export default class Batch {
    constructor(topic: string, fetchedOffset: string, partitionData: unknown);
    readonly messages: unknown[];
  }
}
