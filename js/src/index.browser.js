// index.browser.js — entry of dist/kate.mjs, the ES module for browsers
// and bundlers (package.json's "browser" and "default" conditions).

import { usePlatform } from './api.js';
import { platform } from './platform.browser.js';

usePlatform(platform);

export { initialize, train, load, pca, runtimeInfo, Model, version } from './api.js';
