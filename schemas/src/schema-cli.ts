import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Type } from '@sinclair/typebox';
import { dotenvPath, eventLogSettings, loadConfig, loadOrExit } from '@vsp/platform';
import { productEventSchemaText } from './product-event.js';
import { checkCompatibility, registeredSchema } from './schema-subject.js';

const USAGE = `usage: npm run schema -- <command>
  check [--file F]    is schemas/avro/product-event.avsc (the working tree; or F) compatible with what
                      the registry holds? Exit 0 yes, 1 no: run it before deploying a schema change
  show [--version N]  a registered version of the schema (default: the latest)`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { version: { type: 'string' }, file: { type: 'string' }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const config = loadOrExit('schema', () => loadConfig(Type.Object({ ...eventLogSettings }), { dotenvPath }));
const subject = `${config.PRODUCT_EVENTS_TOPIC}-value`;

try {
  switch (positionals[0]) {
    case 'check': {
      const schemaText = values.file ? readFileSync(values.file, 'utf8') : productEventSchemaText;
      const result = await checkCompatibility(config.SCHEMA_REGISTRY_URL, subject, schemaText);
      if (!result) console.log(`${subject}: nothing registered yet; the ingress registers this schema when it starts`);
      else if (result.compatible) console.log(`${subject}: compatible with the latest registered version`);
      else {
        console.log(`${subject}: NOT compatible with the latest registered version (BACKWARD)`);
        for (const message of result.messages) console.log(`  ${message}`);
        process.exitCode = 1;
      }
      break;
    }
    case 'show': {
      const version = values.version === undefined ? 'latest' : Number(values.version);
      if (version !== 'latest' && !Number.isInteger(version))
        throw new Error(`--version ${values.version}: expected a number`);
      const found = await registeredSchema(config.SCHEMA_REGISTRY_URL, subject, version);
      if (!found) {
        console.log(`${subject} has no version ${version}`);
        process.exitCode = 1;
        break;
      }
      console.log(`subject ${found.subject}  version ${found.version}  id ${found.id}`);
      console.log(JSON.stringify(JSON.parse(found.schema), null, 2));
      break;
    }
    default:
      console.error(`${positionals[0] ? `unknown command ${positionals[0]}` : 'a command is required'}\n${USAGE}`);
      process.exitCode = 2;
  }
} catch (error) {
  console.error(`schema: ${(error as Error).message}`);
  process.exitCode = 2;
}
