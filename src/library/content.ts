import { z } from 'zod';
import { canonicalFiles, sha256 } from '../store/hash';
import type { SkillBinaries } from '../skills/limits';

/** What a library version holds: a text prompt, a chat prompt, or a skill's files. */
const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _');
const binaryEntrySchema = z.object({
  blob: z.string().regex(/^[0-9a-f]{64}$/, 'a blob is the sha256 of the bytes, 64 lowercase hex digits'),
  size: z.number().int().min(0),
  mediaType: z.string().min(1).max(200),
});
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
  z.object({
    type: z.literal('skill'),
    /** Text files: what a model may read and the improver may edit. */
    files: z.record(z.string(), z.string()),
    /** Binary files (fonts, PDFs, archives): bytes in the store as blobs, shown to a model as `path (size, type)`. */
    binaries: z.record(z.string(), binaryEntrySchema).optional(),
    /** Paths (text or binary) whose executable bit is set. */
    executable: z.array(z.string()).optional(),
  }),
]);
export type LibraryContent = z.infer<typeof promptContentSchema>;
export type LibraryKind = 'prompt' | 'skill';

export function kindOf(content: LibraryContent): LibraryKind {
  return content.type === 'skill' ? 'skill' : 'prompt';
}

export type SkillContent = Extract<LibraryContent, { type: 'skill' }>;

/**
 * A skill as stored: empty binaries and executable lists are dropped and the list sorted, so one folder
 * always gives one stored shape and one hash.
 */
export function normalizeSkill(content: SkillContent, mediaTypeOf?: (name: string) => string): SkillContent {
  const out: SkillContent = { type: 'skill', files: content.files };
  const binaries = Object.entries(content.binaries ?? {});
  if (binaries.length > 0)
    out.binaries = Object.fromEntries<SkillBinaries[string]>(
      binaries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([p, b]) => [p, { blob: b.blob, size: b.size, mediaType: mediaTypeOf ? mediaTypeOf(p) : b.mediaType }]),
    );
  const executable = [...new Set(content.executable ?? [])].sort();
  if (executable.length > 0) out.executable = executable;
  return out;
}

/**
 * Content address: skills hash their files (as the tune loop always has), prompts their canonical JSON. A skill
 * with binary files or executable bits hashes them too (blob hash and size per binary path, the executable
 * paths); one without hashes as before, so every text-only version keeps its hash.
 */
export function contentHash(content: LibraryContent): string {
  if (content.type === 'skill') {
    const binaries = Object.keys(content.binaries ?? {}).sort();
    const executable = [...new Set(content.executable ?? [])].sort();
    if (binaries.length === 0 && executable.length === 0) return sha256(canonicalFiles(content.files));
    return sha256(
      JSON.stringify([
        'skill',
        canonicalFiles(content.files),
        binaries.map((p) => [p, content.binaries![p]!.blob, content.binaries![p]!.size]),
        executable,
      ]),
    );
  }
  if (content.type === 'text') return sha256(JSON.stringify(['text', content.text, [...content.variables].sort()]));
  return sha256(
    JSON.stringify(['chat', content.messages.map((m) => [m.role, m.content]), [...content.variables].sort()]),
  );
}

/** `{{name}}` placeholders found in a text, for prompts pushed without an explicit variable list. */
export function detectVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!))].sort();
}

/**
 * A version's content as text lines, for `refinery diff` (skills diff per text file; a binary file shows as
 * its `path (size, media type)` line, so a changed font or PDF still shows in the diff).
 */
export function contentAsFiles(content: LibraryContent, name: string): Record<string, string> {
  if (content.type === 'skill') {
    const out = { ...content.files };
    for (const [p, b] of Object.entries(content.binaries ?? {}))
      Object.defineProperty(out, p, {
        value: `binary file, ${b.size} bytes, ${b.mediaType}, sha256 ${b.blob}\n`,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  if (content.type === 'text') return { [`${name}.md`]: content.text };
  return {
    [`${name}.json`]: JSON.stringify({ messages: content.messages, variables: content.variables }, null, 2) + '\n',
  };
}
