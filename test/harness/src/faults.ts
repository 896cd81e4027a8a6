import { LocalInfra, loadInfraConfig } from '@vsp/infra';
import { type CleanupContext, onCleanup } from './test-context.js';

export type ServiceName = 'kafka' | 'schemaRegistry' | 'postgres' | 'qdrant';

export interface StoppedService {
  /** Starts the service again and resolves once it answers. */
  restart(): Promise<void>;
}

/**
 * Fault injection at the seam of a real dependency: stops one of the services infra started.
 * A service infra did not start (pointed at by the environment, or someone else's process on
 * the port) is not ours to stop: the test fails saying so rather than skipping, so an outage
 * test never passes without having run. Whatever happens in the test, the service is running
 * again afterwards.
 */
export async function stopService(t: CleanupContext, name: ServiceName): Promise<StoppedService> {
  const service = new LocalInfra(loadInfraConfig())[name];
  if (!service) throw new Error(`cannot stop ${name}: none is configured (QDRANT_BIN or QDRANT_URL)`);
  const state = await service.state();
  if (state.kind !== 'ours') {
    throw new Error(
      `cannot stop ${service.name} at ${state.endpoint}: it is ${state.kind}, not started by infra. ` +
        'Outage tests need the services infra starts itself: unset the variable that points elsewhere, or free the port.',
    );
  }
  const restart = async () => {
    await service.up();
  };
  onCleanup(t, restart);
  await service.down();
  return { restart };
}
