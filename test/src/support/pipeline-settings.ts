import { DemoConfigSchema } from '@vsp/demo';
import { InfraConfigSchema } from '@vsp/infra';
import { IngressConfigSchema, WebhookCheckConfigSchema } from '@vsp/ingress';
import { EmbeddingConfigSchema, PersistenceConfigSchema } from '@vsp/processors';
import { SearchConfigSchema } from '@vsp/search';

/** Every process's settings schema, as each workspace exports it: what the pipeline reads. */
const SCHEMAS = [
  InfraConfigSchema,
  IngressConfigSchema,
  WebhookCheckConfigSchema,
  PersistenceConfigSchema,
  EmbeddingConfigSchema,
  SearchConfigSchema,
  DemoConfigSchema,
];

export const PIPELINE_SETTINGS: ReadonlySet<string> = new Set(
  SCHEMAS.flatMap((schema) => Object.keys(schema.properties)),
);
