/** The node options of package.json's start script (`node [options] <bin> serve`); throws for another form. */
export function startNodeOptions(packageJson: { readonly scripts?: { readonly start?: unknown } }): string[];
