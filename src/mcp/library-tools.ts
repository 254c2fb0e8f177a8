import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { diffFiles } from '../activities/tune/write-back';
import { contentAsFiles } from '../library/content';
import { detectVariables, promptContentSchema, type LibraryContent } from '../library/content';
import { getLabels, moveLabel, resolveLabel } from '../library/label-store';
import { versionLink } from '../library/links';
import { lowRatedRuns } from '../library/records';
import { searchLibrary } from '../library/search';
import { getContent, NAME_PATTERN, recordVersion, requireItem, requireVersion } from '../library/versions';
import { jsonResult, writer, type McpDeps } from './tool-kit';

/** The label a proposal gets: a person (or a rollout) promotes it; an agent never moves production. */
export const CANDIDATE_LABEL = 'candidate';

export const itemName = z.string().regex(NAME_PATTERN, 'a library name: lowercase letters, digits, ".", "_" or "-"');
const version = z.number().int().positive();
const label = z.string().min(1).max(63);

/** Versions named by number or by label (production, candidate, latest…). */
export async function versionOf(deps: McpDeps, item: string, ref: { version?: number; label?: string }, field: string) {
  if (ref.version !== undefined && ref.label !== undefined) throw new Error(`give ${field} or its label, not both`);
  if (ref.version !== undefined) return (await requireVersion(deps.db, item, ref.version)).version;
  if (ref.label !== undefined) return resolveLabel(deps.db, item, ref.label);
  // Neither: production when there is one, else the newest version (as `refinery pull` does).
  return resolveLabel(deps.db, item, 'production').catch(() => resolveLabel(deps.db, item, 'latest'));
}

/** Text prompts pushed without variables get the `{{name}}` placeholders they use, as `refinery push` does. */
function withVariables(content: LibraryContent): LibraryContent {
  if (content.type === 'text' && content.variables.length === 0)
    return { ...content, variables: detectVariables(content.text) };
  if (content.type === 'chat' && content.variables.length === 0)
    return { ...content, variables: detectVariables(content.messages.map((m) => m.content).join('\n')) };
  return content;
}

export function registerLibraryTools(server: McpServer, deps: McpDeps): void {
  const link = (item: string, v: number) => versionLink(deps.config.api.publicUrl, item, v);

  server.registerTool(
    'search_library',
    {
      title: 'Search the library',
      description:
        'Prompts and skills by free text (name, description, tags, owner), tag, owner or kind, with their labels ' +
        'and per-version usage (runs, error rate, thumbs, average rating).',
      inputSchema: {
        query: z.string().max(200).optional().describe('free text'),
        tag: z.string().max(100).optional(),
        owner: z.string().max(100).optional(),
        kind: z.enum(['prompt', 'skill']).optional(),
        limit: z.number().int().min(1).max(100).default(20),
      },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      const hits = await searchLibrary(
        deps.db,
        { q: args.query, tag: args.tag, owner: args.owner, kind: args.kind },
        args.limit,
      );
      return jsonResult({
        items: hits.map((h) => ({
          ...h,
          versions: h.versions.map((v) => ({ ...v, link: link(h.name, v.version) })),
        })),
      });
    },
  );

  server.registerTool(
    'read_version',
    {
      title: 'Read a version',
      description:
        'One version of a prompt or skill: its content, author, rationale, parent and the labels on it. Name it by ' +
        'number or label; with neither, production (else the newest).',
      inputSchema: { name: itemName, version: version.optional(), label: label.optional() },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      await requireItem(deps.db, args.name);
      const v = await versionOf(deps, args.name, args, 'version');
      const meta = await requireVersion(deps.db, args.name, v);
      const labels = Object.entries(await getLabels(deps.db, args.name))
        .filter(([, n]) => n === v)
        .map(([l]) => l);
      return jsonResult({
        ...meta,
        labels,
        link: link(args.name, v),
        content: await getContent(deps.db, args.name, { version: v }),
      });
    },
  );

  server.registerTool(
    'diff_versions',
    {
      title: 'Diff two versions',
      description:
        'A unified diff from one version to another (by number or label; `to` defaults to the newest). Prompts diff ' +
        'as their text, skills per file.',
      inputSchema: {
        name: itemName,
        from: version.optional(),
        fromLabel: label.optional(),
        to: version.optional(),
        toLabel: label.optional(),
      },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      await requireItem(deps.db, args.name);
      const a = await versionOf(deps, args.name, { version: args.from, label: args.fromLabel }, 'from');
      const b =
        args.to === undefined && args.toLabel === undefined
          ? await resolveLabel(deps.db, args.name, 'latest')
          : await versionOf(deps, args.name, { version: args.to, label: args.toLabel }, 'to');
      const from = contentAsFiles(await getContent(deps.db, args.name, { version: a }), args.name);
      const to = contentAsFiles(await getContent(deps.db, args.name, { version: b }), args.name);
      return jsonResult({ name: args.name, from: a, to: b, diff: diffFiles(from, to), identical: a === b });
    },
  );

  server.registerTool(
    'low_rated_runs',
    {
      title: "A prompt's low-rated runs",
      description:
        'Feedback that rated runs of a prompt badly (thumbs down, or a rating at or below maxRating), newest first, ' +
        'with the run it is about (input, error, latency, corrected, regenerated) and the correction or comment.',
      inputSchema: {
        name: itemName,
        version: version.optional(),
        maxRating: z.number().int().min(1).max(5).default(2),
        limit: z.number().int().min(1).max(200).default(20),
      },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      await requireItem(deps.db, args.name);
      if (args.version !== undefined) await requireVersion(deps.db, args.name, args.version);
      const runs = await lowRatedRuns(deps.db, args.name, {
        version: args.version,
        maxRating: args.maxRating,
        limit: args.limit,
      });
      return jsonResult({ name: args.name, runs });
    },
  );

  server.registerTool(
    'propose_version',
    {
      title: 'Propose a new version',
      description:
        `Stores new content as a version of an existing prompt or skill and moves its "${CANDIDATE_LABEL}" label to ` +
        'it (audited); production is never moved. Needs a token with the writer role.',
      inputSchema: {
        name: itemName,
        content: promptContentSchema,
        rationale: z.string().trim().min(1, 'say why this version exists').max(5000),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    async (args) => {
      const actor = writer(deps, 'propose_version');
      const item = await requireItem(deps.db, args.name);
      const content = withVariables(args.content);
      if ((content.type === 'skill') !== (item.kind === 'skill'))
        throw new Error(
          `"${args.name}" is a ${item.kind}: propose ${item.kind === 'skill' ? 'skill files' : 'a text or chat prompt'}`,
        );
      const v = await recordVersion(deps.db, args.name, content, { rationale: args.rationale, author: actor.subject });
      // Same content as before: the version exists already; the label moves only if it is elsewhere.
      const held = (await getLabels(deps.db, args.name))[CANDIDATE_LABEL];
      const move =
        held === v.version
          ? undefined
          : await moveLabel(deps.db, {
              name: args.name,
              label: CANDIDATE_LABEL,
              version: v.version,
              actor,
              reason: `proposed through MCP: ${args.rationale}`,
            });
      return jsonResult({
        name: args.name,
        version: v.version,
        hash: v.hash,
        created: v.created,
        label: CANDIDATE_LABEL,
        labelMoved: move !== undefined,
        by: actor.subject,
        link: link(args.name, v.version),
      });
    },
  );
}
