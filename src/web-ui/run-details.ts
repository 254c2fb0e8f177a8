import { waitingBlock, type SignalChoice } from './markdown';

/**
 * What a long run shows as its current details in the Temporal Web UI, in one shape for every kind of run (tune,
 * optimizer, rollout, A/B test, eval, improve): where it is, how it scores, what it spent, and — when it waits for
 * a person — exactly which signal to send with which JSON. Workflows build a view from their state and call
 * `setCurrentDetails(runDetails(view))` whenever it changes.
 */
export interface RunView {
  /** One markdown line naming the run, e.g. "**Tune** `greet@3`". */
  title: string;
  phase: string;
  /** Where in its plan, e.g. "iteration 3 of 5", "step 2 of 4 (10 %), baked 20 min of 1 h". */
  step?: string;
  /** Scores so far, e.g. "60 → 72 → 72 (threshold 80)". */
  scores?: string;
  /** Spent and its limit, e.g. "12 calls of 100, $0.0123 of $1". */
  budget?: string;
  /** Anything else worth a line (a last rejection, a warning count). */
  notes?: string[];
  /** Set while the run waits for a person. */
  waiting?: { waitsFor: string; choices: SignalChoice[]; cli?: string; note?: string };
  /** Signals a person may send while it runs (pause, stop), listed without the "waiting" banner. */
  controls?: SignalChoice[];
}

export function runDetails(view: RunView): string {
  const blocks = [`${view.title} — phase **${view.phase}**`];
  if (view.step) blocks.push(`Step: ${view.step}`);
  if (view.scores) blocks.push(`Scores: ${view.scores}`);
  if (view.budget) blocks.push(`Spent: ${view.budget}`);
  for (const n of view.notes ?? []) blocks.push(n);
  if (view.waiting) blocks.push(waitingBlock(view.waiting));
  else if (view.controls?.length)
    blocks.push(
      [
        'To intervene from the Web UI (**More Actions → Send a Signal**):',
        '',
        ...view.controls.map((c) => `- ${c.what}: signal \`${c.signal}\` with \`${JSON.stringify(c.payload)}\``),
      ].join('\n'),
    );
  return blocks.join('\n\n');
}

/** The name a payload shows in `by`: the person sending it replaces it with their own. */
export const YOUR_NAME = 'your-name';

/** The `decide` choices of a stalled tune or optimizer run (the same handlers serve both). */
export function decideChoices(): SignalChoice[] {
  return [
    { what: 'run 3 more iterations', signal: 'decide', payload: { action: 'continue', iterations: 3, by: YOUR_NAME } },
    { what: 'accept the best so far', signal: 'decide', payload: { action: 'accept', by: YOUR_NAME } },
    { what: 'keep the original', signal: 'decide', payload: { action: 'rollback', by: YOUR_NAME } },
    { what: 'cancel the run', signal: 'decide', payload: { action: 'cancel', by: YOUR_NAME } },
  ];
}
