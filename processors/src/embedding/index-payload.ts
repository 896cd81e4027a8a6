import type { ProductEventType } from '@vsp/schemas';
import type { ProductPayload } from '@vsp/vector-index';
import { catalogueOf, type ProductState } from '../product/product-state.js';

/** What the point's vector was computed from; null for a placeholder. */
export interface EmbeddedImage {
  source: string;
  sha256: string;
}

/**
 * The image a product shows now, as a string that changes whenever its picture may have: the
 * key, and the newest product.image.updated (a CDN may keep the key and change the bytes).
 * Null when there is nothing to embed: no image yet, or deleted.
 */
export function imageSourceOf(state: ProductState): string | null {
  if (state.deleted || state.image_key === null) return null;
  return `${state.image_key}@${state.versions.image ?? ''}`;
}

export function payloadOf(state: ProductState, image: EmbeddedImage | null, modelId: string): ProductPayload {
  return {
    ...catalogueOf(state),
    price_value: state.price === null ? null : Number(state.price),
    deleted: state.deleted,
    deleted_at: state.deleted_at,
    versions: state.versions,
    last_event_id: state.last_event?.id ?? null,
    last_event_type: state.last_event?.type ?? null,
    event_time: state.last_event?.at ?? 0,
    image_source: image?.source ?? null,
    image_sha256: image?.sha256 ?? null,
    model_id: modelId,
    searchable: image !== null && !state.deleted,
  };
}

export function stateOf(payload: ProductPayload): ProductState {
  return {
    ...catalogueOf(payload),
    deleted: payload.deleted,
    deleted_at: payload.deleted_at,
    versions: { ...payload.versions },
    last_event:
      payload.last_event_id === null
        ? null
        : { id: payload.last_event_id, type: payload.last_event_type as ProductEventType, at: payload.event_time },
  };
}

export function embeddedImageOf(payload: ProductPayload): EmbeddedImage | null {
  return payload.image_source !== null && payload.image_sha256 !== null
    ? { source: payload.image_source, sha256: payload.image_sha256 }
    : null;
}
