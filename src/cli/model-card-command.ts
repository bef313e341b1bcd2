import { writeFileSync } from 'node:fs';
import type { Application } from '../app/application.js';
import { modelCardData } from '../app/model-card.js';
import { modelCardHtml } from '../app/model-card-html.js';

/** `mloop report --html FILE`: the active model's card (as GET /api/v1/models/{v}/card.html serves it) written to FILE. */
export async function modelCardCommand(app: Application, options: { html: string }): Promise<void> {
  const { version } = app.registry.active();
  writeFileSync(options.html, modelCardHtml(await modelCardData(app, version, new Date())));
  process.stdout.write(`model card of v${version} written to ${options.html}\n`);
}
