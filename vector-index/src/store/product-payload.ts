import type { ProductData } from '@vsp/schemas';

/** A point's payload: the product's whole state, plus what the vector was made from. */
export interface ProductPayload extends ProductData {
  /** `price` as a number, for range filters only; `price` stays the exact decimal. */
  price_value: number | null;
  /** A tombstone: kept so a late event cannot bring the product back. */
  deleted: boolean;
  deleted_at: number | null;
  /** The merge registers' versions (the processors' product model). */
  versions: Record<string, string>;
  last_event_id: string | null;
  last_event_type: string | null;
  /** Time of the newest event applied, epoch milliseconds. */
  event_time: number;
  /** The image the vector was computed from; null: the vector is a placeholder. */
  image_source: string | null;
  image_sha256: string | null;
  model_id: string;
  /** Not deleted and with a real vector: the only points a search returns. */
  searchable: boolean;
}
