import { z } from 'zod';
import { promptContentSchema } from '../../library/content';
import { getLabels, labelHistory } from '../../library/label-store';
import { versionLink } from '../../library/links';
import { searchLibrary } from '../../library/search';
import { roleAtLeast } from '../../library/tokens';
import {
  ensureItem,
  getContent,
  getItem,
  listVersions,
  nameProblem,
  recordVersion,
  requireItem,
  requireVersion,
  updateItem,
} from '../../library/versions';
import { problems, readBytes, readJson, sendBytes, sendJson, validate } from '../http';
import { SKILL_LIMITS } from '../../skills/limits';
import { bytesHash, findFileBlob, putFileBlob } from '../../store/file-blobs';
import type { Route } from '../route';

const people = z.array(z.string().min(1).max(100)).max(100);
const createItemSchema = z.object({
  name: z.string().min(1).max(100),
  kind: z.enum(['prompt', 'skill']),
  owner: z.string().min(1).max(100).optional(),
  contributors: people.optional(),
  consumers: people.optional(),
  tags: z.array(z.string().min(1).max(50)).max(50).optional(),
  description: z.string().max(5000).optional(),
});
const patchItemSchema = createItemSchema.omit({ name: true, kind: true }).partial();
const createVersionSchema = z.object({
  content: promptContentSchema,
  rationale: z.string().min(1, 'say why this version exists').max(5000),
});

/** Library items and versions: search, create, describe, add versions. */
export const libraryRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/library',
    role: 'reader',
    async handle({ res, query, deps }) {
      const kind = query.get('kind');
      if (kind && kind !== 'prompt' && kind !== 'skill')
        throw problems.badRequest('kind must be prompt or skill', 'kind');
      const hits = await searchLibrary(deps.db, {
        q: query.get('q') ?? undefined,
        tag: query.get('tag') ?? undefined,
        owner: query.get('owner') ?? undefined,
        name: query.get('name') ?? undefined,
        kind: (kind as 'prompt' | 'skill' | null) ?? undefined,
      });
      sendJson(res, 200, {
        items: hits.map((h) => ({
          ...h,
          versions: h.versions.map((v) => ({ ...v, link: versionLink(deps.publicUrl, h.name, v.version) })),
        })),
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/library',
    role: 'owner',
    async handle({ res, req, identity, deps }) {
      const body = validate(createItemSchema, await readJson(req));
      const problem = nameProblem(body.name);
      if (problem) throw problems.badRequest(problem, 'name');
      if (await getItem(deps.db, body.name)) throw problems.badRequest(`"${body.name}" already exists`, 'name');
      const owner = body.owner ?? identity!.subject;
      if (owner !== identity!.subject && identity!.role !== 'admin')
        throw problems.forbidden('only an admin creates items for another owner', 'owner');
      const item = await ensureItem(deps.db, body.name, body.kind, { ...body, owner });
      sendJson(res, 201, item);
    },
  },
  {
    method: 'GET',
    path: '/v1/library/:name',
    role: 'reader',
    async handle({ res, params, deps }) {
      const item = await requireItem(deps.db, params.name!);
      const versions = await listVersions(deps.db, item.name);
      sendJson(res, 200, {
        ...item,
        labels: await getLabels(deps.db, item.name),
        versions: versions.map((v) => ({ ...v, link: versionLink(deps.publicUrl, item.name, v.version) })),
      });
    },
  },
  {
    method: 'PATCH',
    path: '/v1/library/:name',
    role: 'owner',
    async handle({ res, req, params, identity, deps }) {
      const item = await requireItem(deps.db, params.name!);
      if (identity!.role !== 'admin' && identity!.subject !== item.owner)
        throw problems.forbidden(`only the owner of "${item.name}" (${item.owner}) or an admin changes it`);
      const patch = validate(patchItemSchema, await readJson(req));
      sendJson(res, 200, await updateItem(deps.db, item.name, patch));
    },
  },
  {
    method: 'POST',
    path: '/v1/library/:name/versions',
    role: 'writer',
    async handle({ res, req, params, identity, deps }) {
      // A skill's text (up to SKILL_LIMITS.maxTotalBytes) with room for JSON escaping; binary files come as blobs.
      const body = validate(createVersionSchema, await readJson(req, 4 * SKILL_LIMITS.maxTotalBytes + 1024 * 1024));
      const existing = await getItem(deps.db, params.name!);
      // Writers add versions to existing items; creating an item takes the owner role.
      if (!existing && !roleAtLeast(identity!.role, 'owner'))
        throw problems.forbidden(`"${params.name}" does not exist; creating it needs the owner role`, 'name');
      const v = await recordVersion(deps.db, params.name!, body.content, {
        rationale: body.rationale,
        author: identity!.subject,
      });
      sendJson(res, v.created ? 201 : 200, {
        ...v,
        unchanged: !v.created,
        link: versionLink(deps.publicUrl, v.name, v.version),
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/library/:name/versions/:version',
    role: 'reader',
    async handle({ res, params, deps }) {
      const version = Number(params.version);
      if (!Number.isInteger(version) || version < 1)
        throw problems.badRequest('version must be a positive whole number', 'version');
      const v = await requireVersion(deps.db, params.name!, version);
      sendJson(res, 200, {
        ...v,
        content: await getContent(deps.db, v.name, { version }),
        link: versionLink(deps.publicUrl, v.name, version),
      });
    },
  },
  {
    // The bytes of a skill's binary file, before the version that names them (which is refused until they are in).
    method: 'PUT',
    path: '/v1/library/:name/blobs/:hash',
    role: 'writer',
    async handle({ res, req, params, deps }) {
      const item = await requireItem(deps.db, params.name!);
      if (item.kind !== 'skill')
        throw problems.badRequest(`"${item.name}" is a prompt: only skills hold files`, 'name');
      if (!/^[0-9a-f]{64}$/.test(params.hash!))
        throw problems.badRequest('the blob is named by the sha256 of its bytes, 64 lowercase hex digits', 'hash');
      const bytes = await readBytes(req, SKILL_LIMITS.maxBinaryFileBytes);
      if (bytesHash(bytes) !== params.hash)
        throw problems.badRequest('the bytes sent do not hash to the sha256 in the path: resend the file', 'hash');
      await putFileBlob(deps.db, bytes);
      sendJson(res, 201, { hash: params.hash, size: bytes.length });
    },
  },
  {
    // Read through a version that names the blob, so a reader of the item reaches only that item's bytes.
    method: 'GET',
    path: '/v1/library/:name/versions/:version/blobs/:hash',
    role: 'reader',
    async handle({ res, params, deps }) {
      const version = Number(params.version);
      if (!Number.isInteger(version) || version < 1)
        throw problems.badRequest('version must be a positive whole number', 'version');
      const v = await requireVersion(deps.db, params.name!, version);
      const content = await getContent(deps.db, v.name, { version });
      const named =
        content.type === 'skill' && Object.values(content.binaries ?? {}).some((b) => b.blob === params.hash);
      const bytes = named ? await findFileBlob(deps.db, params.hash!) : undefined;
      if (!bytes) throw problems.notFound(`version ${version} of "${v.name}" has no binary file ${params.hash}`);
      sendBytes(res, 200, bytes);
    },
  },
  {
    method: 'GET',
    path: '/v1/library/:name/labels',
    role: 'reader',
    async handle({ res, params, deps }) {
      await requireItem(deps.db, params.name!);
      sendJson(res, 200, {
        labels: await getLabels(deps.db, params.name!),
        history: await labelHistory(deps.db, params.name!),
      });
    },
  },
];
