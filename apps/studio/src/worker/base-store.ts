import type { BaseStore } from '../engine/demo-base.js';

const DB = 'edora-studio';
const STORE = 'demo-base';
const KEY = 'files';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
  });
}

function run<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return open().then((db) => new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = body(tx.objectStore(STORE));
    tx.oncomplete = () => {
      db.close();
      resolve(req.result as T);
    };
    tx.onerror = () => {
      db.close();
      reject(tx.error ?? new Error('IndexedDB transaction failed'));
    };
  }));
}

/** The last pretrained demo base, kept in IndexedDB so a second visit skips the pretraining. */
export const indexedDbBaseStore: BaseStore = {
  async get() {
    const entries = await run<[string, Uint8Array][] | undefined>('readonly', (s) => s.get(KEY));
    return entries ? new Map(entries) : null;
  },
  async put(files) {
    await run('readwrite', (s) => s.put([...files], KEY));
  },
};
