/** A library request that cannot be done as asked; `status` maps it to HTTP, `field` names the culprit. */
export class LibraryError extends Error {
  override readonly name = 'LibraryError';
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 = 400,
    readonly field?: string,
  ) {
    super(message);
  }
}
