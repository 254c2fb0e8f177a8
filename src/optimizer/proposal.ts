import { promptContentSchema, type LibraryContent } from '../library/content';
import { changeSize, overBudget, type ChangeBudget, type ChangeSize } from './change-budget';
import { applyDocumentEdits, parseImproverAnswer, ProposalRefused } from './document-edits';
import { fromDocuments, toDocuments } from './documents';
import { variablesProblem } from './variables';

export type ProposalOutcome =
  { child: LibraryContent; summary: string; size: ChangeSize } | { refused: string; summary?: string };

/**
 * The child the improver's answer makes of the parent, or why it is refused before any evaluation: an unusable
 * answer, an edit that cannot apply, an invalid result, no change at all, a dropped `{{variable}}`, or a change
 * over the budget. Pure: the same parent and answer always give the same outcome, so a retried activity that
 * reads the stored answer again reaches the same child.
 */
export function proposalFromAnswer(parent: LibraryContent, answer: string, budget: ChangeBudget): ProposalOutcome {
  let summary: string | undefined;
  try {
    const parsed = parseImproverAnswer(answer);
    summary = parsed.summary;
    const before = toDocuments(parent);
    const after =
      parent.type === 'skill'
        ? applyDocumentEdits(before, parsed.edits, 'skill', parent.binaries)
        : applyDocumentEdits(before, parsed.edits, 'prompt');
    const checked = promptContentSchema.safeParse(fromDocuments(parent, after));
    if (!checked.success) {
      const why = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new ProposalRefused(`the edited content is not valid: ${why.slice(0, 300)}`);
    }
    const child = checked.data;
    const size = changeSize(before, after);
    if (size.lines === 0 && size.bytes === 0)
      throw new ProposalRefused('no change: the edits leave the content as it was');
    const dropped = variablesProblem(parent, child);
    if (dropped) throw new ProposalRefused(dropped);
    const over = overBudget(size, budget);
    if (over) throw new ProposalRefused(over);
    return { child, summary: parsed.summary, size };
  } catch (err) {
    if (err instanceof ProposalRefused) return { refused: err.message, summary };
    throw err;
  }
}
