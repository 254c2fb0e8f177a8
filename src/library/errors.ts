/** A library request that cannot be done as asked; `status` maps it to HTTP, `field` names the culprit. */
export class LibraryError extends Error {
  override readonly name = 'LibraryError';
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 = 400,
    readonly field?: string,
    /** Extra members for the problem+json body (for a refused file name: `file` and `rule`). */
    readonly extensions?: Record<string, string>,
  ) {
    super(message);
  }
}
