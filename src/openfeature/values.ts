import type { FlagMetadata, JsonValue } from '@openfeature/server-sdk';
import type { Resolved } from '../resolver';

/**
 * A version as a string flag: what an application can use directly. Text prompts give their text (the
 * template, {{variables}} unfilled: their values are request data, not evaluation context), chat prompts
 * the JSON of their messages, skills (many files) their version hash.
 */
export function stringValue(r: Resolved): string {
  const content = r.content;
  if (content.type === 'text') return content.text;
  if (content.type === 'chat') return JSON.stringify(content.messages);
  return r.hash;
}

/** A version as an object flag. Content is copied: the resolver shares one frozen copy between callers. */
export function objectValue(r: Resolved): JsonValue {
  return {
    name: r.name,
    version: r.version,
    hash: r.hash,
    content: structuredClone(r.content) as unknown as JsonValue,
    link: r.link,
  };
}

/** What every evaluation reports besides its value, so hooks and logs can tell which version ran. */
export function metadataOf(r: Resolved): FlagMetadata {
  return {
    version: r.version,
    hash: r.hash,
    link: r.link,
    source: r.source,
    label: r.label,
    ...(r.unit ? { bucket: r.unit.bucket } : {}),
  };
}
