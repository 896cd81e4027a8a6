import { fileURLToPath } from 'node:url';

/** The checkout's root, with a trailing slash; local defaults (data, logs, .env) live under it. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The `.env` every process of the pipeline reads; the environment wins over it. */
export const dotenvPath = `${repoRoot}.env`;
