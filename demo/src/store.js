// store.js — keeps the last trained model (and the corpus it was trained
// on, unless that is the bundled sample) in IndexedDB.

const DB = 'kate-demo';
const STORE = 'models';
const KEY = 'last';

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('IndexedDB is not available'));
      return;
    }
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error || new Error('IndexedDB could not be opened'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

function tx(mode, fn) {
  return open().then(
    (db) =>
      new Promise((resolve, reject) => {
        const t = db.transaction(STORE, mode);
        const req = fn(t.objectStore(STORE));
        t.oncomplete = () => {
          db.close();
          resolve(req?.result);
        };
        t.onerror = () => {
          db.close();
          reject(t.error || new Error('IndexedDB transaction failed'));
        };
        t.onabort = () => {
          db.close();
          reject(t.error || new Error('IndexedDB transaction aborted (is the disk full?)'));
        };
      }),
  );
}

/**
 * Saves the last model.
 * @param {{bytes: Uint8Array, savedAt: number, summary: string, corpus: {kind: 'sample'} | {kind: 'docs', name: string, docs: {text: string, label: string|null}[]}}} rec
 */
export function saveLast(rec) {
  return tx('readwrite', (s) => s.put(rec, KEY));
}

/** The last model's record, or undefined. */
export function loadLast() {
  return tx('readonly', (s) => s.get(KEY));
}

export function clearLast() {
  return tx('readwrite', (s) => s.delete(KEY));
}
