/** The OpenAPI 3.1 description of the HTTP API, served at /openapi.json. */
export function openApiDocument(publicUrl: string): Record<string, unknown> {
  const problem = { $ref: '#/components/responses/Problem' };
  const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 413: problem, 415: problem };
  const name = {
    name: 'name',
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,99}$' },
  };
  const caseId = { name: 'caseId', in: 'path', required: true, schema: { type: 'string' } };
  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  const ok = (description: string, schema: unknown = { type: 'object' }) => ({ description, ...json(schema) });
  const token = { $ref: '#/components/schemas/Token' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Refinery API',
      version: '1',
      description:
        'Serve prompt and skill versions, record runs and feedback, search the library, move labels. Bearer tokens carry a role: reader < writer < owner < admin.',
    },
    servers: [{ url: publicUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        dashboardCookie: { type: 'apiKey', in: 'cookie', name: 'refinery_dashboard' },
      },
      responses: {
        Problem: {
          description:
            'An error (RFC 9457); `field` names the input at fault; a refused skill file name adds `file` and the path policy `rule`.',
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                required: ['title', 'status', 'detail'],
                properties: {
                  type: { type: 'string' },
                  title: { type: 'string' },
                  status: { type: 'integer' },
                  detail: { type: 'string' },
                  instance: { type: 'string' },
                  field: { type: 'string' },
                  file: { type: 'string' },
                  rule: { type: 'string' },
                },
              },
            },
          },
        },
      },
      schemas: {
        Content: {
          oneOf: [
            {
              type: 'object',
              required: ['type', 'text'],
              properties: {
                type: { const: 'text' },
                text: { type: 'string' },
                variables: { type: 'array', items: { type: 'string' } },
              },
            },
            {
              type: 'object',
              required: ['type', 'messages'],
              properties: {
                type: { const: 'chat' },
                messages: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['role', 'content'],
                    properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
                  },
                },
                variables: { type: 'array', items: { type: 'string' } },
              },
            },
            {
              type: 'object',
              required: ['type', 'files'],
              properties: {
                type: { const: 'skill' },
                files: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          ],
        },
        Resolved: {
          type: 'object',
          required: ['name', 'label', 'version', 'hash', 'content', 'link'],
          properties: {
            name: { type: 'string' },
            label: { type: 'string' },
            version: { type: 'integer' },
            hash: { type: 'string' },
            content: { $ref: '#/components/schemas/Content' },
            link: { type: 'string', format: 'uri' },
            unit: {
              type: 'object',
              properties: { id: { type: 'string' }, bucket: { type: 'integer', minimum: 0, maximum: 9999 } },
            },
          },
        },
        Token: {
          type: 'object',
          required: ['id', 'subject', 'role', 'createdAt', 'status'],
          properties: {
            id: { type: 'string', description: 'public id, also the part of the token after rfy_' },
            subject: { type: 'string' },
            role: { enum: ['reader', 'writer', 'owner', 'admin'] },
            createdAt: { type: 'string', format: 'date-time' },
            createdBy: { type: ['string', 'null'] },
            expiresAt: { type: ['string', 'null'], format: 'date-time', description: 'null: never' },
            revokedAt: { type: ['string', 'null'], format: 'date-time' },
            lastUsedAt: { type: ['string', 'null'], format: 'date-time', description: 'written at most once a minute' },
            status: { enum: ['active', 'expired', 'revoked'] },
          },
        },
        Run: {
          type: 'object',
          required: ['id', 'name', 'version'],
          properties: {
            id: { type: 'string', minLength: 8, description: 'client-chosen; a repeated id is stored once' },
            name: { type: 'string' },
            version: { type: 'integer' },
            unitId: { type: 'string' },
            model: { type: 'string', maxLength: 200, description: 'the model that answered' },
            latencyMs: { type: 'integer' },
            inputTokens: { type: 'integer' },
            outputTokens: { type: 'integer' },
            error: { type: 'string' },
            formatOk: { type: 'boolean' },
            corrected: { type: 'boolean' },
            regenerated: { type: 'boolean' },
            input: {
              type: 'string',
              maxLength: 20000,
              description: 'optional; the quarterly dataset refresh review compares it with the golden inputs',
            },
            output: {
              type: 'string',
              maxLength: 20000,
              description: 'optional; a harvested review case shows it beside the input and the feedback',
            },
            at: {
              type: 'string',
              format: 'date-time',
              description:
                'when it happened; at most 5 minutes ahead of and 24 hours behind the server (older: the admin import)',
            },
          },
        },
        Feedback: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string', minLength: 8 },
            runId: { type: 'string' },
            name: { type: 'string' },
            version: { type: 'integer' },
            thumbs: { enum: ['up', 'down'] },
            rating: { type: 'integer', minimum: 1, maximum: 5 },
            correction: { type: 'string' },
            comment: { type: 'string' },
            userId: {
              type: 'string',
              description: 'optional opaque user id; the review queue shows rating tendencies',
            },
            at: {
              type: 'string',
              format: 'date-time',
              description:
                'when it happened; at most 5 minutes ahead of and 24 hours behind the server (older: the admin import)',
            },
          },
        },
      },
    },
    paths: {
      '/healthz': { get: { security: [], summary: 'Liveness and store reachability', responses: { 200: ok('ok') } } },
      '/openapi.json': { get: { security: [], summary: 'This document', responses: { 200: ok('OpenAPI') } } },
      '/v1/resolve/{name}': {
        get: {
          summary: 'The version to serve (reader)',
          parameters: [
            name,
            { name: 'label', in: 'query', schema: { type: 'string', default: 'production' } },
            {
              name: 'unit',
              in: 'query',
              schema: { type: 'string' },
              description: 'unit id for flag evaluation (sticky bucket)',
            },
          ],
          responses: {
            200: ok('resolved', { $ref: '#/components/schemas/Resolved' }),
            304: { description: 'unchanged (If-None-Match)' },
            ...errors,
          },
        },
      },
      '/v1/library': {
        get: {
          summary:
            'Search by name, tag, owner, kind and free text, with usage and outcomes per version and, for skills, how often agent runs read each file, and who contributed (versions to production, improvements shipped, cases accepted, feedback resolved) (reader)',
          parameters: ['q', 'tag', 'owner', 'name', 'kind'].map((n) => ({
            name: n,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: { 200: ok('matches'), ...errors },
        },
        post: {
          summary: 'Create a prompt or skill (owner)',
          requestBody: json({
            type: 'object',
            required: ['name', 'kind'],
            properties: {
              name: { type: 'string' },
              kind: { enum: ['prompt', 'skill'] },
              owner: { type: 'string' },
              contributors: { type: 'array', items: { type: 'string' } },
              consumers: { type: 'array', items: { type: 'string' } },
              tags: { type: 'array', items: { type: 'string' } },
              description: { type: 'string' },
            },
          }),
          responses: { 201: ok('created'), ...errors },
        },
      },
      '/v1/library/{name}': {
        get: {
          summary: 'Item, labels and versions (reader)',
          parameters: [name],
          responses: { 200: ok('item'), ...errors },
        },
        patch: {
          summary: "Change an item's metadata (its owner or an admin)",
          parameters: [name],
          requestBody: json({ type: 'object' }),
          responses: { 200: ok('item'), ...errors },
        },
      },
      '/v1/library/{name}/versions': {
        post: {
          summary: 'Add a version; unchanged content returns the existing one (writer)',
          parameters: [name],
          requestBody: json({
            type: 'object',
            required: ['content', 'rationale'],
            properties: { content: { $ref: '#/components/schemas/Content' }, rationale: { type: 'string' } },
          }),
          responses: { 200: ok('unchanged'), 201: ok('created'), ...errors },
        },
      },
      '/v1/library/{name}/versions/{version}': {
        get: {
          summary: 'One version with its content (reader)',
          parameters: [name, { name: 'version', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: { 200: ok('version'), ...errors },
        },
      },
      '/v1/library/{name}/blobs/{hash}': {
        put: {
          summary:
            "The bytes of a skill's binary file, named by their sha256; upload before the version that names them (writer)",
          parameters: [name, { name: 'hash', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: { 201: ok('stored'), ...errors },
        },
      },
      '/v1/library/{name}/versions/{version}/blobs/{hash}': {
        get: {
          summary: 'The bytes of a binary file the version names (reader)',
          parameters: [
            name,
            { name: 'version', in: 'path', required: true, schema: { type: 'integer' } },
            { name: 'hash', in: 'path', required: true, schema: { type: 'string' } },
          ],
          responses: {
            200: {
              description: 'the bytes',
              content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
            },
            ...errors,
          },
        },
      },
      '/v1/library/{name}/labels': {
        get: {
          summary: 'Labels and their move history (reader)',
          parameters: [name],
          responses: { 200: ok('labels'), ...errors },
        },
      },
      '/v1/library/{name}/labels/{label}': {
        put: {
          summary:
            'Move a label (writer; production: its owner with the owner role, or an admin); a move to the version it already holds is refused (409)',
          parameters: [name, { name: 'label', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json({
            type: 'object',
            required: ['version', 'reason'],
            properties: { version: { type: 'integer' }, reason: { type: 'string' } },
          }),
          responses: { 200: ok('moved'), ...errors },
        },
      },
      '/v1/cases/{name}': {
        get: {
          summary:
            'The review queue of a prompt or skill: harvested cases, counts per status, user rating tendencies (reader)',
          parameters: [
            name,
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string', default: 'pending,skipped' },
              description: 'comma-separated: pending, skipped, accepted, rejected',
            },
          ],
          responses: { 200: ok('the queue'), ...errors },
        },
      },
      '/v1/cases/{name}/harvest': {
        post: {
          summary: 'Harvest the failed runs since the last harvest into the review queue (writer)',
          parameters: [
            name,
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 0, maximum: 10000, default: 100 },
              description: 'most new cases this harvest queues',
            },
          ],
          responses: { 200: ok('what the harvest read, folded and queued'), ...errors },
        },
      },
      '/v1/cases/{name}/{caseId}': {
        get: {
          summary: 'One case: input, output, feedback, correction, version, and the users’ rating tendencies (reader)',
          parameters: [name, caseId],
          responses: { 200: ok('the case'), ...errors },
        },
      },
      '/v1/cases/{name}/{caseId}/accept': {
        post: {
          summary:
            'Accept a case: the correction (or the expected output or assertions given) becomes a case of a new dataset version tagged source:production (owner of the item, or admin)',
          parameters: [name, caseId],
          requestBody: json({
            type: 'object',
            properties: {
              expected: { type: 'string' },
              assertions: { description: 'an assertion object or a list, in the dataset format' },
              dataset: { type: 'string', description: 'default: the newest dataset targeting the item' },
            },
          }),
          responses: { 200: ok('the case and the new dataset version'), ...errors },
        },
      },
      '/v1/cases/{name}/{caseId}/reject': {
        post: {
          summary:
            'Reject a case with a reason, kept so the same input is not offered again (owner of the item, or admin)',
          parameters: [name, caseId],
          requestBody: json({ type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } }),
          responses: { 200: ok('the case'), ...errors },
        },
      },
      '/v1/cases/{name}/{caseId}/skip': {
        post: {
          summary: 'Skip a case: it stays in the queue, after the pending ones (owner of the item, or admin)',
          parameters: [name, caseId],
          responses: { 200: ok('the case'), ...errors },
        },
      },
      '/v1/library/{name}/rollback': {
        post: {
          summary: 'Move production to the previous (or the given) version in one call (owner of the item, or admin)',
          parameters: [name],
          requestBody: json({
            type: 'object',
            required: ['reason'],
            properties: { to: { type: 'integer' }, reason: { type: 'string' } },
          }),
          responses: { 200: ok('rolled back'), ...errors },
        },
      },
      '/v1/library/{name}/emergency-rollback': {
        post: {
          summary:
            'Emergency rollback: every running split to 0 %, and production back if a rollout promoted it within windowMs (owner of the item, or admin)',
          parameters: [name],
          requestBody: json({
            type: 'object',
            required: ['reason'],
            properties: { reason: { type: 'string' }, windowMs: { type: 'integer' } },
          }),
          responses: { 200: ok('done'), ...errors },
        },
      },
      '/v1/runs': {
        post: {
          summary: 'Record runs in a batch (writer); rate-limited per token, 429 with retry-after',
          requestBody: json({
            type: 'object',
            required: ['runs'],
            properties: { runs: { type: 'array', items: { $ref: '#/components/schemas/Run' } } },
          }),
          responses: { 202: ok('stored'), 429: problem, ...errors },
        },
      },
      '/v1/traces': {
        post: {
          summary:
            'OTLP/HTTP trace export (writer), JSON or protobuf: GenAI spans naming a prompt version (refinery.prompt.name, refinery.prompt.version) become runs; other spans are skipped and counted in partialSuccess',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { type: 'object', description: 'ExportTraceServiceRequest (OTLP/JSON)' } },
              'application/x-protobuf': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: { 200: ok('accepted; partialSuccess counts skipped spans'), 429: problem, ...errors },
        },
      },
      '/v1/admin/import/runs': {
        post: {
          summary: 'Import runs of any past time (admin); no rate limit, nothing from the future',
          requestBody: json({
            type: 'object',
            required: ['runs'],
            properties: { runs: { type: 'array', items: { $ref: '#/components/schemas/Run' } } },
          }),
          responses: { 202: ok('stored'), ...errors },
        },
      },
      '/v1/admin/import/feedback': {
        post: {
          summary: 'Import feedback of any past time (admin); no rate limit, nothing from the future',
          requestBody: json({
            type: 'object',
            required: ['feedback'],
            properties: { feedback: { type: 'array', items: { $ref: '#/components/schemas/Feedback' } } },
          }),
          responses: { 202: ok('stored'), ...errors },
        },
      },
      '/v1/feedback': {
        post: {
          summary: 'Record feedback in a batch, linked to runs (writer); rate-limited per token, 429 with retry-after',
          requestBody: json({
            type: 'object',
            required: ['feedback'],
            properties: { feedback: { type: 'array', items: { $ref: '#/components/schemas/Feedback' } } },
          }),
          responses: { 202: ok('stored'), 429: problem, ...errors },
        },
      },
      '/v1/feedback/{id}': {
        get: {
          summary:
            'One feedback item; `resolution` names the version that fixed it once its case shipped through `refinery improve` (reader)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('the feedback and its resolution (null until resolved)'), ...errors },
        },
      },
      '/v1/alerts': {
        get: {
          summary: 'Alerts from the daily review; unresolved by default (reader)',
          parameters: [
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string', enum: ['open', 'acknowledged', 'resolved', 'unresolved', 'all'] },
            },
            { name: 'name', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: ok('alerts'), ...errors },
        },
      },
      '/v1/alerts/{id}/ack': {
        post: {
          summary: 'Acknowledge an alert: the caller owns it and it stops escalating (writer)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('acknowledged'), ...errors },
        },
      },
      '/v1/alerts/{id}/resolve': {
        post: {
          summary: 'Close an alert as an action item with an owner, or as a documented false positive (writer)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json({
            type: 'object',
            required: ['as', 'note'],
            properties: {
              as: { type: 'string', enum: ['action', 'false-positive'] },
              note: { type: 'string', minLength: 1 },
              owner: {
                type: 'string',
                description: 'owner of the action item; default: who acknowledged, else the caller',
              },
            },
          }),
          responses: { 200: ok('resolved'), ...errors },
        },
      },
      '/v1/incidents': {
        get: {
          summary: 'The incident log: every alert that became Critical (reader)',
          responses: { 200: ok('incidents'), ...errors },
        },
      },
      '/v1/post-run-evals': {
        get: {
          summary: 'Post-run evals of tunes and rollouts (reader)',
          parameters: [
            { name: 'kind', in: 'query', schema: { type: 'string', enum: ['tune', 'rollout'] } },
            { name: 'subject', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: ok('evals'), ...errors },
        },
        post: {
          summary: 'Record whether a tune or rollout was effective and what would have made it better (writer)',
          requestBody: json({
            type: 'object',
            required: ['kind', 'subject', 'effective', 'better'],
            properties: {
              kind: { type: 'string', enum: ['tune', 'rollout'] },
              subject: { type: 'string', description: 'tune workflow id or rollout id' },
              effective: { type: 'boolean' },
              better: { type: 'string', minLength: 1 },
            },
          }),
          responses: { 201: ok('recorded'), ...errors },
        },
      },
      '/v1/changes': {
        get: {
          summary: 'Label moves after a sequence number; waits up to `wait` seconds for one (long poll) (reader)',
          parameters: [
            { name: 'since', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'wait', in: 'query', schema: { type: 'number', minimum: 0, maximum: 30 } },
          ],
          responses: { 200: ok('moves'), ...errors },
        },
      },
      '/dashboard': {
        get: {
          summary:
            'The dashboard page (reader). In a browser open /dashboard?token=<token> once: the token moves into an HttpOnly cookie and the page redirects to /dashboard',
          security: [{ bearer: [] }, { dashboardCookie: [] }],
          parameters: [
            { name: 'days', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 366, default: 30 } },
            { name: 'token', in: 'query', schema: { type: 'string' }, description: 'first visit only' },
          ],
          responses: {
            200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
            303: { description: 'token moved into the cookie; follow to /dashboard' },
            ...errors,
          },
        },
      },
      '/v1/tokens': {
        get: {
          summary:
            'Every token: id, subject, role, created, last used (to the minute), expiry, revocation and status; never the token (admin)',
          responses: {
            200: ok('tokens', { type: 'object', properties: { tokens: { type: 'array', items: token } } }),
            ...errors,
          },
        },
        post: {
          summary: 'Issue a token; the answer is the only place it is ever shown (admin)',
          requestBody: json({
            type: 'object',
            required: ['subject', 'role'],
            properties: {
              subject: { type: 'string', minLength: 1, maxLength: 100, description: 'who the token acts as' },
              role: { enum: ['reader', 'writer', 'owner', 'admin'] },
              expires: {
                type: 'string',
                pattern: '^([1-9][0-9]{0,5}[hdw]|never)$',
                default: '90d',
                description: 'hours, days or weeks from now (at most 5 years), or "never"',
              },
            },
          }),
          responses: {
            201: ok('issued', {
              allOf: [token, { type: 'object', required: ['token'], properties: { token: { type: 'string' } } }],
            }),
            ...errors,
          },
        },
      },
      '/v1/tokens/{id}/revoke': {
        post: {
          summary:
            'Revoke a token: every API instance refuses it within a second; revoking twice keeps the first time (admin)',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{12}$' } },
          ],
          responses: { 200: ok('revoked', token), ...errors },
        },
      },
      '/v1/rollouts/{name}': {
        post: {
          summary:
            'Start a guarded rollout of a version (owner of the item, an admin, or a REFINERY_ADMINS user); startedBy is the token subject',
          parameters: [name],
          requestBody: json({
            type: 'object',
            required: ['version'],
            properties: {
              version: { type: 'integer' },
              steps: { type: 'array', items: { type: 'number' } },
              bakeMs: { type: 'integer' },
              intervalMs: { type: 'integer' },
              maxBakeExtensionMs: { type: 'integer' },
              approval: { type: 'boolean', default: true },
              dataset: { type: 'string' },
              datasetVersion: { type: 'integer' },
              gate: { type: 'boolean', default: true },
              threshold: { type: 'number' },
              minSamples: { type: 'integer' },
            },
          }),
          responses: { 201: ok('started'), ...errors, 503: problem },
        },
        get: {
          summary: "A rollout's status: phase, step, percent, recent events (reader)",
          parameters: [name],
          responses: { 200: ok('status'), ...errors, 503: problem },
        },
      },
      '/v1/rollouts/{name}/approve': {
        post: {
          summary:
            'Approve or reject a rollout awaiting approval or evidence; recorded as the token subject, a body "by" is refused (owner of the item or admin)',
          parameters: [name],
          requestBody: json({
            type: 'object',
            required: ['decision'],
            properties: { decision: { enum: ['approve', 'reject'] }, note: { type: 'string' } },
          }),
          responses: { 200: ok('recorded'), ...errors, 503: problem },
        },
      },
      '/v1/rollouts/{name}/control': {
        post: {
          summary: 'Pause, resume or abort a rollout, as the token subject (owner of the item or admin)',
          parameters: [name],
          requestBody: json({
            type: 'object',
            required: ['action'],
            properties: { action: { enum: ['pause', 'resume', 'abort'] }, reason: { type: 'string' } },
          }),
          responses: { 200: ok('recorded'), ...errors, 503: problem },
        },
      },
      '/v1/tunes/{id}/decide': {
        post: {
          summary:
            'Decide a stalled tune run; recorded as the token subject, a body "by" is refused (writer). {id} is a workflow id, or a library item\'s name: its one run awaiting a decision (none: 404, several: 409, with "decideTarget"); the answer names the run decided (workflowId, and item when found by name)',
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: 'a workflow id, or a library item name',
              schema: { type: 'string' },
            },
          ],
          requestBody: json({
            type: 'object',
            required: ['action'],
            properties: {
              action: { enum: ['continue', 'accept', 'rollback', 'cancel'] },
              iterations: { type: 'integer' },
              note: { type: 'string' },
            },
          }),
          responses: { 200: ok('accepted'), ...errors, 503: problem },
        },
      },
      '/metrics': {
        get: {
          summary:
            "Runs, errors, alerts, tune scores, provider tokens and cost in the Prometheus text format, and this instance's refused authentications by reason (reader)",
          responses: {
            200: {
              description: 'Prometheus exposition format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...errors,
          },
        },
      },
    },
  };
}
