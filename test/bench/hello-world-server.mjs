// The ingress benchmark's yardstick: a Fastify route that parses the same JSON bodies and only
// answers 200, run as its own process like the ingress (plain JavaScript, as the ingress runs
// compiled). Whatever our ingress costs beyond this is ours: signature, validation, Avro, Kafka,
// logs, metrics.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/api/v1/webhooks/bakai', async () => ({ success: true }));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
