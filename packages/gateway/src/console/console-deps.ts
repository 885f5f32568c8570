import type { ConsoleAssets } from './assets.js';
import type { RecentDecisions } from './recent.js';

/** What the web console needs beyond the app's own dependencies. */
export interface ConsoleDeps {
  /** The built front end (packages/console/dist), served from memory. */
  assets: ConsoleAssets;
  /** The live view: this process's recent decisions and per-minute figures. */
  recent: RecentDecisions;
  /** Facts the overview shows. */
  info: { mode: 'dev' | 'serve'; tracing: boolean; captureContent: boolean };
}
