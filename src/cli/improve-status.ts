import type { ImproveStatus } from '../improve/types';

/** The improve run answers the same `status` query as a tune; its status alone has a current step. */
export function isImproveStatus(s: object): s is ImproveStatus {
  return 'current' in s && Array.isArray((s as Partial<ImproveStatus>).steps);
}

/** `refinery status <id>` and `refinery improve --run <id> --status` of an improve run: the step, then each step. */
export function improveStatusLines(workflowId: string, s: ImproveStatus, link?: string): string[] {
  return [
    `${workflowId}: ${s.current === 'finished' ? `finished — ${s.outcome ?? ''}` : `step ${s.current}`}`,
    ...(link ? [`  ${link}`] : []),
    ...s.steps.map((st) => `  ${st.step.padEnd(8)} ${st.state}${st.detail ? `: ${st.detail}` : ''}`),
  ];
}
