// Writes tools/cli/api-file.schema.json from the zod schema the server validates API files with.
// A test fails when the committed file differs: run `npm run api-file-schema` after changing the schema.
import fs from 'node:fs';
import { apiFileJsonSchema } from '../../lib/apis/api-file.schema';

const target = new URL('./api-file.schema.json', import.meta.url);
fs.writeFileSync(target, `${JSON.stringify(apiFileJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
