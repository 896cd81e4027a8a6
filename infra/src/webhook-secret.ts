import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The seed's first setup step (`openssl rand -hex 32` into .env), done for a fresh checkout:
 * when neither the environment nor the .env file has WEBHOOK_SECRET, a 32-byte hex secret is
 * appended to the .env file. Returns the path written to, or undefined when one was configured.
 */
export function ensureWebhookSecret(dotenvPath: string, configured: string | undefined): string | undefined {
  if (configured) return undefined;
  const existing = existsSync(dotenvPath) ? readFileSync(dotenvPath, 'utf8') : '';
  if (parseEnv(existing).WEBHOOK_SECRET) return undefined;
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  appendFileSync(dotenvPath, `${separator}WEBHOOK_SECRET=${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return dotenvPath;
}
