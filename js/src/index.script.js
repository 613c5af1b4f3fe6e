// index.script.js — entry of dist/kate.js, the script-tag build: sets the
// global KATE.

import * as api from './api.js';
import { platform } from './platform.script.js';

api.usePlatform(platform);

const { initialize, train, load, pca, runtimeInfo, Model, version } = api;
globalThis.KATE = Object.freeze({ initialize, train, load, pca, runtimeInfo, Model, version });
