import { randomUUID } from 'node:crypto';
import { dotenvPath, loadConfig, runCommandLine, UsageError } from '@vsp/platform';
import { WebhookCheckConfigSchema } from './config.js';
import { WebhookSignature } from './webhook/signature.js';

/**
 * Our port of the seed's scripts/test_webhook_local.py: against a running ingress, checks the
 * webhook health endpoint, then sends one signed event of each type, printing the seed's lines.
 * Exit code 0 only when every check passes.
 */
const RULE = '='.repeat(60);

interface Check {
  title: string;
  passed: string;
  run(url: string, secret: string): Promise<void>;
}

function eventCheck(title: string, passed: string, eventType: string, data: Record<string, unknown>): Check {
  return {
    title,
    passed,
    async run(url, secret) {
      const eventId = `test_${randomUUID()}`;
      // Signed as the seed's Python does: json.dumps() output, with spaces after ':' and ','.
      const body = JSON.stringify({
        event_type: eventType,
        event_id: eventId,
        timestamp: new Date().toISOString(),
        data,
      })
        .replaceAll('","', '", "')
        .replaceAll('":', '": ');
      const signingSecret = secret.split(',').at(-1) ?? '';
      const response = await fetch(`${url}/api/v1/webhooks/bakai`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-signature': WebhookSignature.sign(body, signingSecret),
        },
        body,
      });
      const answer = (await response.json().catch(() => ({}))) as {
        success?: boolean;
        event_id?: string;
        task_id?: string;
      };
      if (response.status !== 200 || answer.success !== true || answer.event_id !== eventId || !answer.task_id) {
        throw new Error(`expected 200 with success and a task_id, got ${response.status} ${JSON.stringify(answer)}`);
      }
    },
  };
}

const checks: Check[] = [
  {
    title: 'Webhook Health Check',
    passed: 'Webhook health check passed',
    async run(url) {
      const response = await fetch(`${url}/api/v1/webhooks/health`);
      const answer = (await response.json()) as { status?: string };
      if (response.status !== 200 || answer.status !== 'healthy')
        throw new Error(`got ${response.status} ${JSON.stringify(answer)}`);
    },
  },
  eventCheck('Product Created Event', 'Product created event processed', 'product.created', {
    product_id: 'test_12345',
    title: 'Тестовый товар',
    description: 'Описание тестового товара',
    category: 'Электроника',
    price: 15000.0,
    currency: 'KGS',
    image_key: 'test_12345/main.jpg',
  }),
  eventCheck('Product Updated Event', 'Product updated event processed', 'product.updated', {
    product_id: 'test_12345',
    title: 'Тестовый товар (обновлён)',
    price: 14500.5,
    currency: 'KGS',
  }),
  eventCheck('Product Deleted Event', 'Product deleted event processed', 'product.deleted', {
    product_id: 'test_12345',
  }),
  eventCheck('Image Updated Event', 'Image updated event processed', 'product.image.updated', {
    product_id: 'test_12345',
    image_key: 'test_12345/main_v2.jpg',
  }),
];

async function main(url: string, secret: string): Promise<number> {
  console.log(`${RULE}\nTesting Webhook Endpoints\n${RULE}\n`);
  for (const [index, check] of checks.entries()) {
    console.log(`Test ${index + 1}: ${check.title}`);
    try {
      await check.run(url, secret);
    } catch (error) {
      console.log(
        `✗ ${check.title} failed: ${error instanceof Error ? `${error.message}${error.cause ? ` (${error.cause})` : ''}` : error}\n`,
      );
      console.log(`${RULE}\nWebhook tests failed ✗\n${RULE}`);
      return 1;
    }
    console.log(`✓ ${check.passed}\n`);
  }
  console.log(`${RULE}\nAll webhook tests passed! ✓\n${RULE}`);
  return 0;
}

await runCommandLine({
  name: 'webhook:test',
  usage: `usage: npm run webhook:test
  Against a running ingress (WEBHOOK_TEST_URL, default http://localhost:<PORT>): checks the webhook
  health endpoint, then sends one signed event of each type with WEBHOOK_SECRET. Exit 0 when all pass.`,
  options: {},
  run({ positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const config = loadConfig(WebhookCheckConfigSchema, { dotenvPath });
    return main(config.WEBHOOK_TEST_URL ?? `http://localhost:${config.PORT}`, config.WEBHOOK_SECRET);
  },
});
