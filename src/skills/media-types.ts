/**
 * Binary or text is decided by content (a NUL byte, or bytes that are not valid UTF-8), never by the name:
 * a `.txt` of Latin-1 bytes is binary, a `.svg` of UTF-8 is text. The media type is only a label shown to
 * a model, so it comes from the extension with a small table.
 */
export function isBinaryContent(buf: Buffer): boolean {
  if (buf.includes(0)) return true;
  // Invalid UTF-8 round-trips with replacement characters: treat it as binary.
  return !Buffer.from(buf.toString('utf8'), 'utf8').equals(buf);
}

const MEDIA_TYPES: Record<string, string> = {
  '.tar.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.zip': 'application/zip',
  '.bz2': 'application/x-bzip2',
  '.xz': 'application/x-xz',
  '.7z': 'application/x-7z-compressed',
  '.pdf': 'application/pdf',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.bmp': 'image/bmp',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.mp4': 'video/mp4',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.wasm': 'application/wasm',
  '.sqlite': 'application/vnd.sqlite3',
};

/** The media type of a binary file, from its name; application/octet-stream when the table has no entry. */
export function mediaTypeOf(name: string): string {
  const lower = name.toLowerCase();
  // Longest suffix first, so `.tar.gz` wins over `.gz`.
  const hit = Object.keys(MEDIA_TYPES)
    .sort((a, b) => b.length - a.length)
    .find((ext) => lower.endsWith(ext));
  return hit ? MEDIA_TYPES[hit]! : 'application/octet-stream';
}

/** A binary file as a model is shown it, in place of its bytes: `path (size, media type)`. */
export function describeBinary(name: string, entry: { size: number; mediaType: string }): string {
  return `${name} (${formatSize(entry.size)}, ${entry.mediaType})`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
