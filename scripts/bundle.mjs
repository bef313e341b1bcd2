// The production start: dist/cli/main.js and everything it imports (mloop's modules and the
// libraries serving needs) in one CommonJS file, dist/bundle/mloop-HASH.cjs, and the launcher that
// runs it, dist/bundle/mloop.cjs (scripts/launcher.cjs). Loading it reads and compiles one file
// instead of several hundred (kysely, typebox and fastify alone are over 600), which was most of
// the start; being CommonJS, it can run from V8's code cache (scripts/code-cache.mjs), which an ES
// module cannot on Node 20.
// Run after `tsc` (npm run build): it bundles tsc's output, and what stays outside the bundle (the
// worker threads' files, the dashboard's assets, package.json) is found beside it, where each module
// of dist/ found it before, because every `import.meta.url` is rewritten to the module's own dist URL.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'bundle');

/**
 * Each module of dist/ keeps its own `import.meta.url`, relative to the bundle's (the banner's). And
 * main.js loses its `#!` line: the launcher runs the bundle as a function's body.
 */
const ownUrls = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = (await readFile(args.path, 'utf8')).replace(/^#!.*/, '');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const relative = path.relative(outdir, args.path).split(path.sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, __mloopBundleUrl).href`), loader: 'js' };
    });
  },
};

/**
 * Node modules a library requires when it loads but uses only on paths mloop never takes: commander
 * spawns a process only for subcommands that are programs of their own, Fastify makes an https or
 * HTTP/2 server only when asked to, prom-client's push gateway is not used. The library gets a
 * stand-in that loads the real module on first use instead. https, http2 and tls were about 10 ms
 * of the server's start; child_process 14 ms of every other command's (the server loads it all
 * the same: Node's listen() does, through node:cluster).
 */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const usedLate = [
      [/[\\/]commander[\\/]lib[\\/]command\.js$/, ['child_process']],
      [/[\\/]fastify[\\/]lib[\\/]server\.js$/, ['https', 'http2']],
      [/[\\/]prom-client[\\/]lib[\\/]pushgateway\.js$/, ['https']],
    ];
    b.onResolve({ filter: /^(node:)?(child_process|https|http2)$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!usedLate.some(([importer, names]) => importer.test(args.importer) && names.includes(name))) return undefined;
      return { path: name, namespace: 'lazy-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${args.path}`)}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => ({ ...Reflect.getOwnPropertyDescriptor(load(), key), configurable: true }),
});
`,
      loader: 'js',
    }));
  },
};

// The bundle is named by content hash: a build must not leave the previous build's beside its own.
await rm(outdir, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: [path.join(dist, 'cli', 'main.js')],
  outdir,
  entryNames: 'mloop-[hash]',
  outExtension: { '.js': '.cjs' },
  // One file, not a chunk per command: what a command does not run is only read, and with the
  // code cache not even parsed.
  bundle: true,
  minifyWhitespace: true,
  minifySyntax: true,
  // No keepNames: it wraps every function made at run time in a call that defines its name, which
  // was 10 % of a prediction request's CPU (Fastify makes closures per request). Error classes are
  // told apart by name in messages and logs, so the check below fails the build if bundling had to
  // rename a class (two modules with a class of the same name).
  keepNames: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import() of a package left outside becomes require(): code V8 takes from a code cache cannot
  // import() on Node 20 (the vm.Script's dynamic import callback does not come back with it).
  // Each of those packages has a CommonJS entry.
  supported: { 'dynamic-import': false },
  // Native code, and what serving does not load before its first answer (imported when needed).
  // Fastify's default schema compilers (ajv, fast-json-stringify: a third of its code) are never run
  // from the bundle: every instance gets src/http/schema-compilers.ts's, which require them from
  // Fastify's own package when a first schema is compiled; bundled, they were only parsed at start.
  external: [
    'better-sqlite3',
    'pg',
    'nodemailer',
    'piscina',
    '@fastify/swagger',
    '@fastify/swagger-ui',
    '@fastify/ajv-compiler',
    '@fastify/fast-json-stringify-compiler',
    'onnxruntime-node',
    'yaml',
    'pino-pretty',
  ],
  // A function expression, which the launcher compiles and calls as Node calls a CommonJS module;
  // strict, as the ES modules it was made of; with the URL every rewritten `import.meta.url` is
  // relative to.
  banner: { js: "(function (exports, require, module, __filename, __dirname) {'use strict';\nconst __mloopBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  plugins: [ownUrls, lazyBuiltins],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const [bundleFile, ...others] = Object.keys(metafile.outputs).map((file) => path.basename(file));
if (others.length > 0) throw new Error(`expected one bundle file, esbuild wrote ${[bundleFile, ...others].join(', ')}`);
const launcher = await readFile(path.join(root, 'scripts', 'launcher.cjs'), 'utf8');
if (!launcher.includes("'MLOOP_BUNDLE_FILE'")) throw new Error('scripts/launcher.cjs no longer names MLOOP_BUNDLE_FILE');
await writeFile(path.join(outdir, 'mloop.cjs'), launcher.replace("'MLOOP_BUNDLE_FILE'", JSON.stringify(bundleFile)), { mode: 0o755 });

// mloop's own classes, as tsc wrote them, and any the bundle holds under another name.
const ownClasses = new Set();
for (const file of await readdir(dist, { recursive: true })) {
  if (!file.endsWith('.js') || file.startsWith(`bundle${path.sep}`)) continue;
  for (const [, name] of (await readFile(path.join(dist, file), 'utf8')).matchAll(/\bclass ([A-Za-z_$][\w$]*)/g)) ownClasses.add(name);
}
const renamedClasses = new Set();
for (const file of await readdir(outdir)) {
  if (!file.endsWith('.cjs')) continue;
  for (const [, name, base] of (await readFile(path.join(outdir, file), 'utf8')).matchAll(/\bclass (([A-Za-z_$][\w$]*?)\d+)\b/g)) if (ownClasses.has(base) && !ownClasses.has(name)) renamedClasses.add(`${base} (as ${name})`);
}
if (renamedClasses.size > 0) throw new Error(`bundling renamed ${[...renamedClasses].join(', ')}: two classes share a name; give one another, since errors and logs show class names`);

// Fastify's two schema compilers (and ajv, fast-json-stringify under them), as Fastify's package
// resolves them, in one CommonJS file that src/http/schema-compilers.ts requires when a first
// schema is compiled (beside its own dist module, which is where `import.meta.url` points).
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const compilersEntry = path.join(outdir, 'fastify-compilers.entry.cjs');
await writeFile(
  compilersEntry,
  `module.exports = { serializer: require(${JSON.stringify(fromFastify.resolve('@fastify/fast-json-stringify-compiler'))}), validator: require(${JSON.stringify(fromFastify.resolve('@fastify/ajv-compiler'))}) };\n`,
);
await build({
  entryPoints: [compilersEntry],
  outfile: path.join(dist, 'http', 'fastify-compilers.cjs'),
  bundle: true,
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
});
await rm(compilersEntry);
