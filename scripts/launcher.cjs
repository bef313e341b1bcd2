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
const { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } = require('node:fs');
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

/**
 * A file's bytes in memory that V8 maps itself (a WebAssembly.Memory), not in memory from malloc.
 * glibc's malloc takes a block this large (the bundle and the server's cache are 2 MB each) from
 * mmap, and when such a block is freed it raises its mmap and trim thresholds to its size for the
 * rest of the process (mallopt(3), M_MMAP_THRESHOLD): blocks up to 2 MB then come from the heap
 * and stay resident when freed. Read with readFileSync, the server held 5.5 MiB more after
 * bench/startup.ts's 3 s burst (102.9 against 97.4 MiB, medians of 7 alternating runs; as much as
 * with MALLOC_MMAP_THRESHOLD_=131072, which fixes the threshold). The price: until V8's next full
 * collection these 4 MB stay mapped (3-4 MiB more at the first answer, none after a few seconds).
 * Where V8 cannot map the memory (an address-space limit: test/cli/address-space-limit.test.ts),
 * the file is read as before.
 */
function readOutsideMalloc(file) {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let memory;
    try {
      memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(size / 65536)) });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return readFileSync(fd);
    }
    const bytes = Buffer.from(memory.buffer, 0, size);
    let read = 0;
    for (let n; read < size && (n = readSync(fd, bytes, read, size - read, read)) > 0; ) read += n;
    return bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The cache is only a shortcut: one that cannot be read (missing, unreadable) is none. */
function readCache(cacheFile) {
  try {
    return readOutsideMalloc(cacheFile);
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
  const bytes = readOutsideMalloc(filename);
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
