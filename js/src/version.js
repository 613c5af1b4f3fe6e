// version.js — the library version (js/package.json's, which js/build.mjs
// checks against kate.Version in Go; kate.wasm must report the same).

import { version } from '../package.json';

export const VERSION = version;
