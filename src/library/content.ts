import { z } from 'zod';
import { canonicalFiles, sha256 } from '../store/hash';

/** What a library version holds: a text prompt, a chat prompt, or a skill's files. */
const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _');
export const promptContentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('text'),
    text: z.string().min(1).max(200_000),
    variables: z.array(variableName).default([]),
  }),
  z.object({
    type: z.literal('chat'),
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(200_000) }))
      .min(1)
      .max(200),
    variables: z.array(variableName).default([]),
  }),
  z.object({ type: z.literal('skill'), files: z.record(z.string(), z.string()) }),
]);
export type LibraryContent = z.infer<typeof promptContentSchema>;
export type LibraryKind = 'prompt' | 'skill';

export function kindOf(content: LibraryContent): LibraryKind {
  return content.type === 'skill' ? 'skill' : 'prompt';
}

/** Content address: skills hash their files (as the tune loop always has), prompts their canonical JSON. */
export function contentHash(content: LibraryContent): string {
  if (content.type === 'skill') return sha256(canonicalFiles(content.files));
  if (content.type === 'text') return sha256(JSON.stringify(['text', content.text, [...content.variables].sort()]));
  return sha256(
    JSON.stringify(['chat', content.messages.map((m) => [m.role, m.content]), [...content.variables].sort()]),
  );
}

/** `{{name}}` placeholders found in a text, for prompts pushed without an explicit variable list. */
export function detectVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!))].sort();
}
