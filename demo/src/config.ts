import { Type } from '@sinclair/typebox';
import { imageSettings, searchServiceSettings } from '@vsp/platform';

/** `npm run demo`: the ingress it sends to, the database and index it checks, the search it asks. */
export const DemoConfigSchema = Type.Object({
  /** The ingress's port. */
  PORT: Type.Integer({ default: 8008, minimum: 1, maximum: 65535 }),
  WEBHOOK_SECRET: Type.String({ minLength: 1 }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  ...imageSettings,
  ...searchServiceSettings,
});
