/** The stable link to a version: every output that names a version carries it (REFINERY_PUBLIC_URL). */
export function versionLink(publicUrl: string, name: string, version: number): string {
  return `${publicUrl}/v1/library/${encodeURIComponent(name)}/versions/${version}`;
}
