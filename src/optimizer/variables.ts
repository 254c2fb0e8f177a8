import { detectVariables, type LibraryContent } from '../library/content';

/**
 * A prompt's `{{variables}}` are its interface with the callers that fill them: a proposal must keep every one the
 * parent's texts use. The content's declared `variables` list travels to the child unchanged (fromDocuments), so
 * a declared variable can only be lost by the text no longer using it. Skills have none: their input is the case's.
 */
function usedVariables(content: LibraryContent): Set<string> {
  if (content.type === 'skill') return new Set();
  const texts = content.type === 'text' ? [content.text] : content.messages.map((m) => m.content);
  return new Set(texts.flatMap(detectVariables));
}

/** The variables a child must keep, sorted: those the parent uses, declared or not. */
export function requiredVariables(content: LibraryContent): string[] {
  return [...usedVariables(content)].sort();
}

/** The parent's variables the child's texts no longer use, sorted. */
export function droppedVariables(parent: LibraryContent, child: LibraryContent): string[] {
  const kept = usedVariables(child);
  return requiredVariables(parent).filter((v) => !kept.has(v));
}

/** "drops {{name}}" (every one dropped, comma-separated) when the child lost a variable, else undefined. */
export function variablesProblem(parent: LibraryContent, child: LibraryContent): string | undefined {
  const dropped = droppedVariables(parent, child);
  return dropped.length ? `drops ${dropped.map((v) => `{{${v}}}`).join(', ')}` : undefined;
}
