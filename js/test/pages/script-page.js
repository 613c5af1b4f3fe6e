// Hands the script-tag build's global KATE to browser.test.mjs.
window.kateAPI = window.KATE;
