// index.node.js — entry of dist/kate.node.mjs, the ES module for Node
// (package.json's "node" condition).

import { usePlatform } from './api.js';
import { platform } from './platform.node.js';

usePlatform(platform);

export { initialize, train, load, pca, runtimeInfo, Model, version } from './api.js';
