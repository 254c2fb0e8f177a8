import type { LibraryContent } from '../library/content';
import { withTextFiles } from '../skills/binary-files';

/**
 * A library content as the documents the reflective improver edits, and back. A text prompt is one document,
 * a chat prompt one per message (its path keeps the order and the role, so they survive the round trip), a
 * skill its text files (binary files are never documents: they are not shown as text nor edited). Edits never
 * change a prompt's variable list, nor a skill's binary files and executable bits: they travel from the parent.
 */
export interface Document {
  path: string;
  text: string;
}

export const TEXT_DOCUMENT = 'prompt.md';
const MESSAGE_PATH = /^messages\/(\d{3})-(system|user|assistant)\.md$/;
type ChatRole = 'system' | 'user' | 'assistant';

export const messagePath = (index: number, role: ChatRole) =>
  `messages/${String(index + 1).padStart(3, '0')}-${role}.md`;

export function toDocuments(content: LibraryContent): Document[] {
  if (content.type === 'text') return [{ path: TEXT_DOCUMENT, text: content.text }];
  if (content.type === 'chat')
    return content.messages.map((m, i) => ({ path: messagePath(i, m.role), text: m.content }));
  return Object.keys(content.files)
    .sort()
    .map((path) => ({ path, text: content.files[path]! }));
}

/**
 * The content of the parent's kind holding these documents. A prompt's documents must be the parent's, by path
 * (an edit changes their text, never their number or roles); a skill's are its files.
 */
export function fromDocuments(parent: LibraryContent, documents: Document[]): LibraryContent {
  if (parent.type === 'skill') return withTextFiles(parent, Object.fromEntries(documents.map((d) => [d.path, d.text])));
  const expected = toDocuments(parent).map((d) => d.path);
  const got = documents.map((d) => d.path);
  if (expected.length !== got.length || expected.some((p, i) => p !== got[i])) {
    throw new Error(`the documents of a ${parent.type} prompt must be ${expected.join(', ')}; got ${got.join(', ')}`);
  }
  if (parent.type === 'text') return { type: 'text', text: documents[0]!.text, variables: [...parent.variables] };
  return {
    type: 'chat',
    messages: documents.map((d) => ({ role: MESSAGE_PATH.exec(d.path)![2] as ChatRole, content: d.text })),
    variables: [...parent.variables],
  };
}
