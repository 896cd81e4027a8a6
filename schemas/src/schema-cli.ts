import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { dotenvPath, eventLogSettings, loadConfig, runCommandLine, UsageError, userPath } from '@vsp/platform';
import { productEventSchemaText } from './product-event.js';
import { checkCompatibility, registeredSchema } from './schema-subject.js';

const USAGE = `usage: npm run schema -- <command>
  check [--file F]    is schemas/avro/product-event.avsc (the working tree; or F) compatible with what
                      the registry holds? Exit 0 yes, 1 no: run it before deploying a schema change
  show [--version N]  a registered version of the schema (default: the latest)`;

await runCommandLine({
  name: 'schema',
  usage: USAGE,
  options: { version: { type: 'string' }, file: { type: 'string' } },
  async run({ positionals, values }) {
    const command = positionals[0];
    if (command !== 'check' && command !== 'show')
      throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
    const config = loadConfig(Type.Object({ ...eventLogSettings }), { dotenvPath });
    const subject = `${config.PRODUCT_EVENTS_TOPIC}-value`;
    switch (command) {
      case 'check': {
        const schemaText = values.file ? readFileSync(userPath(values.file), 'utf8') : productEventSchemaText;
        const result = await checkCompatibility(config.SCHEMA_REGISTRY_URL, subject, schemaText);
        if (!result)
          console.log(`${subject}: nothing registered yet; the ingress registers this schema when it starts`);
        else if (result.compatible) console.log(`${subject}: compatible with the latest registered version`);
        else {
          console.log(`${subject}: NOT compatible with the latest registered version (BACKWARD)`);
          for (const message of result.messages) console.log(`  ${message}`);
          return 1;
        }
        return 0;
      }
      case 'show': {
        const version = values.version === undefined ? 'latest' : Number(values.version);
        if (version !== 'latest' && !Number.isInteger(version))
          throw new UsageError(`--version ${values.version}: expected a number`);
        const found = await registeredSchema(config.SCHEMA_REGISTRY_URL, subject, version);
        if (!found) {
          console.log(`${subject} has no version ${version}`);
          return 1;
        }
        console.log(`subject ${found.subject}  version ${found.version}  id ${found.id}`);
        console.log(JSON.stringify(JSON.parse(found.schema), null, 2));
        return 0;
      }
    }
  },
});
