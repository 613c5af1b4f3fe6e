// Loads the ES module build for browser.test.mjs.
import * as kate from '/dist/kate.mjs';

window.kateAPI = kate;
