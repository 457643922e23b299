// pnpm start: build if the sources changed (scripts/build.mjs; one build at a time), then run the
// compiled server of that build in this process.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from './build.mjs';

const dir = await build();
await import(pathToFileURL(join(dir, 'server.js')).href);
