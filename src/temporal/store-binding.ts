import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Config } from '../config';
import type { Db } from '../store/db';
import { storeIdentity, type StoreIdentity } from '../store/store-identity';
import { isRunStore, STORE_HEADER, STORE_MEMO_KEY } from './store-keys';

/** The failure type of an activity refused because its run belongs to another store. */
export const STORE_MISMATCH = 'StoreMismatch';

/**
 * The task queue of a store: REFINERY_TASK_QUEUE when set, else one derived from the store's id, so two
 * homes (two stores) on one Temporal server never share workers, and every worker of one shared store
 * (one PostgreSQL) still meets on the same queue.
 */
export function storeTaskQueue(config: Pick<Config, 'temporal'>, store: StoreIdentity): string {
  return config.temporal.taskQueue ?? `refinery-${store.id.slice(0, 8)}`;
}

/** The task queue and the start memo for a run started against db. */
/** Where a run of this store goes (its task queue) and what it carries (the store's id in its memo). */
export interface RunBinding {
  taskQueue: string;
  memo: Record<string, unknown>;
  store: StoreIdentity;
}

export async function runBinding(config: Pick<Config, 'temporal'>, db: Db): Promise<RunBinding> {
  const store = await storeIdentity(db);
  return { taskQueue: storeTaskQueue(config, store), memo: storeMemo(store), store };
}

/** The memo a client sets when it starts a run (the workflow interceptor carries it on from there). */
export function storeMemo(store: StoreIdentity): Record<string, unknown> {
  return { [STORE_MEMO_KEY]: { id: store.id, label: store.label } };
}

export function storeMismatchMessage(run: StoreIdentity, worker: StoreIdentity, taskQueue: string): string {
  return (
    `this run was started against store ${run.id} (${run.label}), but this worker on task queue "${taskQueue}" ` +
    `holds store ${worker.id} (${worker.label}). Workers of different stores must not share a task queue: ` +
    `unset REFINERY_TASK_QUEUE (each store then derives its own) or give the two stores different ones, ` +
    `or point this worker's REFINERY_DATABASE_URL at the run's store.`
  );
}

/**
 * Refuses, at once and without retries, an activity whose run carries another store's id. Runs that carry
 * none (started before stores had ids, or by a bare client) are not checked.
 */
export function storeCheckInterceptor(worker: StoreIdentity, taskQueue: string): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const header = input.headers[STORE_HEADER];
        const run: unknown = header ? defaultPayloadConverter.fromPayload(header) : undefined;
        if (isRunStore(run) && run.id !== worker.id) {
          throw ApplicationFailure.create({
            type: STORE_MISMATCH,
            message: storeMismatchMessage(run, worker, taskQueue),
            nonRetryable: true,
          });
        }
        return next(input);
      },
    },
  });
}
