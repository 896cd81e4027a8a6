import { type InfraEndpoints, LocalInfra, loadInfraConfig } from '@vsp/infra';

let ready: Promise<InfraEndpoints> | undefined;

/**
 * The global set-up: brings Kafka, the registry and PostgreSQL up, reusing whatever already runs
 * (`npm test` starts them before any test file; a single file run by hand starts them itself).
 */
export function ensureInfra(): Promise<InfraEndpoints> {
  ready ??= (async () => {
    const infra = new LocalInfra(loadInfraConfig());
    await infra.up();
    return infra.endpoints;
  })();
  return ready;
}
