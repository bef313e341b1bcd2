import type { Application } from '../app/application.js';
import type { HttpMetrics } from './metrics.js';

/** What every resource's routes get as plugin options. */
export interface RouteContext {
  readonly app: Application;
  readonly metrics: HttpMetrics;
}

/** Answers that are text, as the tutorial's routes give them. */
export const textPlain = 'text/plain; charset=utf-8';
