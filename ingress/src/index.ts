export { buildIngress, type IngressDependencies } from './app.js';
export { type IngressConfig, IngressConfigSchema, loadIngressConfig, WebhookCheckConfigSchema } from './config.js';
export * from './errors.js';
export { WebhookSignature } from './webhook/signature.js';
