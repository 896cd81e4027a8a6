-- Up Migration
-- One row per product: the catalogue fields, a soft-delete flag, and the version (event time,
-- then event id) each field was last set at, so events can arrive in any order, twice, or
-- replayed, and the row ends the same.
CREATE TABLE products (
  product_id            text PRIMARY KEY,
  title                 text,
  description           text,
  category              text,
  price                 numeric(22, 4),
  currency              text,
  image_key             text,
  deleted               boolean NOT NULL DEFAULT false,
  deleted_at            timestamptz,
  field_versions        jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_event_id         text,
  last_event_type       text,
  last_event_at         timestamptz,
  last_event_partition  integer,
  last_event_offset     bigint,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX products_category_idx ON products (category) WHERE NOT deleted;
CREATE INDEX products_updated_at_idx ON products (updated_at);

-- Down Migration
DROP TABLE products;
