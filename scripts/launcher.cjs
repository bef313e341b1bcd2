#!/usr/bin/env node
'use strict';
// mloop's launcher, dist/bundle/mloop.cjs (the package's bin; scripts/bundle.mjs writes it from
// this file, with the bundle's name in place of MLOOP_BUNDLE_FILE). It runs the bundle, one
// CommonJS file, from V8's code cache when the build made one for this node and these node flags:
// V8 then neither parses the bundle nor compiles what the start runs, a fifth or more of the time
// to a first answer. Node 20 has no module compile cache of its own, hence vm.Script.
//
// A cache is used only by the very bundle it was made from: its name holds a digest of the
// bundle's bytes, taken at each launch (2 ms). V8 checks no more than the text's length, and would
// run the cached code of a bundle since edited in place to the same length. V8 itself refuses a
// cache made by another V8 or under other V8 flags (then the bundle compiles as it would without
// one). NODE_DEBUG=mloop says which happened.
const { readFileSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { createRequire } = require('node:module');
const path = require('node:path');
const { debuglog } = require('node:util');
const vm = require('node:vm');

const debug = debuglog('mloop');
const filename = path.join(__dirname, 'MLOOP_BUNDLE_FILE');

/**
 * The cache for these bytes, this node and these flags (V8 checks the last two, so each way of
 * launching has its own), and for the server or the other commands: V8 reads a whole cache before
 * it runs anything, and the server's (2 MB) would cost `mloop --version` more than it saves.
 */
function cacheFileFor(bundleBytes) {
  const launch = createHash('sha256').update(bundleBytes).update([process.version, process.arch, ...process.execArgv].join('\0')).digest('hex').slice(0, 16);
  return `${filename}.${process.argv[2] === 'serve' ? 'serve' : 'cli'}.${launch}.cache`;
}

/** The cache is only a shortcut: one that cannot be read (missing, unreadable) is none. */
function readCache(cacheFile) {
  try {
    return readFileSync(cacheFile);
  } catch (error) {
    if (error.code !== 'ENOENT') debug('code cache unreadable: %s', error.message);
    return undefined;
  }
}

/**
 * The bundle compiled, from its cache if V8 takes it. The build wrote the bundle as a function
 * expression, `(function (exports, require, module, __filename, __dirname) {…})`, so that its text
 * is the script's as read (no second copy of 2 MB); the bytes and the cache are garbage once this
 * returns, before the bundle runs.
 */
function compile() {
  const bytes = readFileSync(filename);
  const cacheFile = cacheFileFor(bytes);
  const cachedData = readCache(cacheFile);
  // The bundle has no import(): a function V8 takes from the cache could not run one (scripts/bundle.mjs).
  const script = new vm.Script(bytes.toString('utf8'), { filename, cachedData });
  debug('code cache %s: %s', cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted', cacheFile);
  return { script, cacheFile };
}
const { script, cacheFile } = compile();

// The build's warm-up (scripts/code-cache.mjs) runs a server's start and first answer, and
// `mloop --version`, with this set; the cache is written as the process ends, with what it compiled.
if (process.env.MLOOP_WRITE_CODE_CACHE === '1') process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));

const bundle = { exports: {}, filename, id: filename, loaded: false };
script.runInThisContext()(bundle.exports, createRequire(filename), bundle, filename, __dirname);
