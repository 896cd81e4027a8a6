import { LocalInfra, loadInfraConfig } from '@vsp/infra';
import { type CleanupContext, onCleanup } from './test-context.js';

export type ServiceName = 'kafka' | 'schemaRegistry' | 'postgres' | 'qdrant';

export interface StoppedService {
  /** Starts the service again and resolves once it answers. */
  restart(): Promise<void>;
}

/**
 * Fault injection at the seam of a real dependency: stops one of the services infra started.
 * Returns undefined when the service is not ours to stop (external or started by someone else),
 * so the test can skip. Whatever happens in the test, the service is running again afterwards.
 */
export async function stopService(t: CleanupContext, name: ServiceName): Promise<StoppedService | undefined> {
  const service = new LocalInfra(loadInfraConfig())[name];
  if ((await service.state()).kind !== 'ours') return undefined;
  const restart = async () => {
    await service.up();
  };
  onCleanup(t, restart);
  await service.down();
  return { restart };
}
