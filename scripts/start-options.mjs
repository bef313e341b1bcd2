// The node options `npm start` gives the server: what stands between `node` and the bin in
// package.json's start script (`node [options] <bin> serve`). The build makes a code cache for a
// server started with them (scripts/code-cache.mjs) and the bench starts mloop with them
// (bench/lib/mloop.ts), so that both run mloop as the README's command does.

/**
 * @param {{ readonly scripts?: { readonly start?: unknown } }} packageJson
 * @returns {string[]}
 */
export function startNodeOptions(packageJson) {
  const script = packageJson.scripts?.start;
  const options = typeof script === 'string' ? /^node((?: --?\S+)*) \S+ serve$/.exec(script) : null;
  if (!options) throw new Error(`package.json's start script is not "node [options] <bin> serve": ${JSON.stringify(script)}`);
  return options[1].split(' ').filter((o) => o !== '');
}
