import { defaultPayloadConverter, workflowInfo, type Headers, type WorkflowInterceptors } from '@temporalio/workflow';
import { isRunStore, STORE_HEADER, STORE_MEMO_KEY, type RunStore } from '../temporal/store-keys';

/**
 * Workflow interceptors (a workflowInterceptorModules entry of every bundle): the run's store, taken
 * from its start header or memo, travels on every activity, child workflow and continue-as-new, so the
 * worker that runs the activity can check it holds the same store.
 */
export const interceptors = (): WorkflowInterceptors => {
  // Per workflow execution: the factory runs once for each one.
  let store: RunStore | undefined;
  const withStore = (headers: Headers): Headers =>
    store ? { ...headers, [STORE_HEADER]: defaultPayloadConverter.toPayload(store) } : headers;
  const memoWithStore = (memo: Record<string, unknown> | undefined) =>
    store ? { ...(memo ?? {}), [STORE_MEMO_KEY]: store } : memo;
  return {
    inbound: [
      {
        async execute(input, next) {
          const header = input.headers[STORE_HEADER];
          const fromHeader: unknown = header ? defaultPayloadConverter.fromPayload(header) : undefined;
          const fromMemo: unknown = workflowInfo().memo?.[STORE_MEMO_KEY];
          store = isRunStore(fromHeader) ? fromHeader : isRunStore(fromMemo) ? fromMemo : undefined;
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next({ ...input, headers: withStore(input.headers) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: withStore(input.headers) }),
        startChildWorkflowExecution: (input, next) =>
          next({
            ...input,
            headers: withStore(input.headers),
            options: { ...input.options, memo: memoWithStore(input.options.memo) },
          }),
        continueAsNew: (input, next) =>
          next({
            ...input,
            headers: withStore(input.headers),
            options: { ...input.options, memo: memoWithStore(input.options.memo ?? workflowInfo().memo) },
          }),
      },
    ],
  };
};
