// The response serializers, compiled at build time: after `tsc` and scripts/bundle.mjs (npm run
// build). It builds the HTTP app from dist/ as the server does, with Fastify's standalone mode of
// its serializer compiler (src/http/schema-compilers.ts, serializerWritingController), and writes
// dist/http/serializers/: one file per distinct code, and index.json, which maps each route
// response's digest (route, status, schema, options) to its file. The server takes a file only
// under the digest of what it was compiled from, and compiles anything else itself.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { pino } from 'pino';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'http', 'serializers');
const fromDist = (file) => import(pathToFileURL(path.join(dist, file)).href);

const { openApplication } = await fromDist('app/open-application.js');
const { parseConfig } = await fromDist('config/schema.js');
const { buildHttpApp } = await fromDist('http/app.js');
const { serializerWritingController } = await fromDist('http/schema-compilers.js');

const codes = new Map();
const dataDir = await mkdtemp(path.join(tmpdir(), 'mloop-serializers-'));
try {
  const app = await openApplication({ config: parseConfig({}), dataDir, log: pino({ level: 'silent' }), threads: 1 });
  try {
    const fastify = buildHttpApp(app, { logger: false, schemaController: serializerWritingController((digest, code) => codes.set(digest, code)) });
    await fastify.ready();
    await fastify.close();
  } finally {
    await app.close();
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

// The code requires fast-json-stringify's runtime from its package: one bundled copy beside it.
const runtime = "require('fast-json-stringify/lib/serializer')";
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const index = {};
const files = new Map();
let live = 0;
for (const [digest, code] of codes) {
  // Code that validates (a schema with anyOf or if/then) needs Ajv as well: left to the live compiler.
  const requires = [...code.matchAll(/require\(([^)]*)\)/g)].map(([call]) => call);
  if (requires.some((call) => call !== runtime)) {
    live++;
    continue;
  }
  const own = code.replaceAll(runtime, "require('./serializer.cjs')");
  const file = `${createHash('sha256').update(own).digest('hex').slice(0, 16)}.cjs`;
  files.set(file, own);
  index[digest] = file;
}
for (const [file, code] of files) await writeFile(path.join(outdir, file), code);
await writeFile(path.join(outdir, 'index.json'), JSON.stringify(index));
await build({
  entryPoints: [createRequire(createRequire(import.meta.url).resolve('fastify')).resolve('fast-json-stringify/lib/serializer')],
  outfile: path.join(outdir, 'serializer.cjs'),
  bundle: true,
  minifyWhitespace: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
});
if (Object.keys(index).length === 0) throw new Error('no serializer was compiled: the app built no route with a response schema?');
process.stdout.write(`precompiled ${Object.keys(index).length} route responses into ${files.size} serializers (${live} left to the live compiler)\n`);
