/** The improve run's workflow id: unique per run, so a second run never reads the first one's results. */
export const improveWorkflowId = (name: string, runId: string) => `improve-${name}-${runId}`;
