/**
 * A few promise helpers over raw IndexedDB (W3C Indexed Database API 3.0) that work
 * on any injected `IDBFactory`.
 *
 * Not `idb`: its `wrap()` recognises requests and transactions with `instanceof` against
 * the global `IDBRequest`/`IDBTransaction` constructors, so it cannot drive a factory
 * whose objects come from elsewhere (fake-indexeddb in tests) and needs those globals to
 * exist. Range scans use `factory.cmp` and `cursor.continue(key)` for the same reason:
 * `IDBKeyRange` is a global too.
 *
 * Transactions commit when no request is pending at the end of a task: a body given to
 * `withTransaction` may await requests of its own transaction, never other async work.
 */

/** The promise of one request's result; rejects with the request's error. */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new DOMException('Request failed', 'UnknownError'));
  });
}

/** Opens `name` at `version`, running `upgrade` inside the version-change transaction. */
export function openDatabase(
  factory: IDBFactory,
  name: string,
  version: number,
  upgrade: (db: IDBDatabase, oldVersion: number) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion);
    req.onsuccess = () => {
      const db = req.result;
      // Let a newer schema (another extension page after an update) take over instead of blocking it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new DOMException('Open failed', 'UnknownError'));
  });
}

function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new DOMException('Transaction failed', 'UnknownError'));
    tx.onabort = () => reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
  });
}

/**
 * Runs `body` in one transaction over `stores` and resolves with its result once the
 * transaction has committed. If `body` throws, the transaction is aborted (nothing it wrote
 * stays) and the error is rethrown; a failed commit rejects with the transaction's error.
 */
export async function withTransaction<T>(
  db: IDBDatabase,
  stores: string[],
  mode: IDBTransactionMode,
  body: (tx: IDBTransaction) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(stores, mode);
  const done = transactionDone(tx);
  // Marked handled now: an abort may settle it before the body's own error reaches the catch below.
  done.catch(() => {});
  let result: T;
  try {
    result = await body(tx);
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already finished: a request failure aborted it, or it committed.
    }
    throw error;
  }
  await done;
  return result;
}

/** Key bounds of a scan: `lower` inclusive, `upper` exclusive unless `upperInclusive`. */
export interface ScanRange {
  lower?: IDBValidKey;
  upper?: IDBValidKey;
  upperInclusive?: boolean;
}

/**
 * Walks `source` in key order (`prev`: descending) over `range`, calling `visit` with each
 * value and its key until it returns `false` or the range ends. Seeks with
 * `cursor.continue(key)`, so it reads only the records in range plus at most one before.
 */
export function scan(
  factory: Pick<IDBFactory, 'cmp'>,
  source: IDBObjectStore | IDBIndex,
  range: ScanRange,
  direction: 'next' | 'prev',
  visit: (value: unknown, key: IDBValidKey) => boolean,
): Promise<void> {
  const { lower, upper, upperInclusive = false } = range;
  const belowLower = (key: IDBValidKey) => lower !== undefined && factory.cmp(key, lower) < 0;
  const aboveUpper = (key: IDBValidKey) => {
    if (upper === undefined) return false;
    const order = factory.cmp(key, upper);
    return upperInclusive ? order > 0 : order >= 0;
  };
  return new Promise((resolve, reject) => {
    const req = source.openCursor(null, direction);
    req.onerror = () => reject(req.error ?? new DOMException('Cursor failed', 'UnknownError'));
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return resolve();
      const key = cursor.key;
      try {
        if (direction === 'next') {
          if (belowLower(key)) return cursor.continue(lower);
          if (aboveUpper(key)) return resolve();
        } else {
          if (aboveUpper(key)) {
            // Jump to the greatest key <= upper; an exact hit on an exclusive bound is skipped next round.
            return upper !== undefined && factory.cmp(key, upper) > 0
              ? cursor.continue(upper)
              : cursor.continue();
          }
          if (belowLower(key)) return resolve();
        }
        if (visit(cursor.value, key)) cursor.continue();
        else resolve();
      } catch (error) {
        reject(error);
      }
    };
  });
}
