import { createServiceLogger, loadOrExit } from '@vsp/platform';
import closeWithGrace from 'close-with-grace';
import { paceCollectionsForLatency } from './collection-pacing.js';
import { loadSearchConfig } from './config.js';
import { createSearchService } from './search-service.js';

paceCollectionsForLatency();
const config = loadOrExit('search', () => loadSearchConfig());
const logger = createServiceLogger('search', config);
const service = await createSearchService(config, logger);

closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'Search service stopping after an unexpected error');
  else logger.info(`Search service stopping on ${signal}`);
  await service.close();
  logger.flush();
});

await service.app.listen({ port: config.SEARCH_PORT, host: config.SEARCH_HOST });
logger.info(`Search page and API on http://localhost:${config.SEARCH_PORT}/`);
