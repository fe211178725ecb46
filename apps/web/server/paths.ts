/**
 * Turning a request path into a file inside one folder, and nothing outside it. Every way out is
 * refused before the file system is asked: `..` and `.` segments (also percent-encoded, also
 * double-encoded), encoded slashes and backslashes, NUL bytes, absolute or drive paths, and hidden
 * names (`.git`, the training script's `.name.training` folders). A symbolic link that leads out
 * of the folder is refused after `realpath`.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Longest request path (after the route prefix) that is looked at. */
const MAX_PATH_LENGTH = 1024;

/**
 * The folder-relative segments of a still percent-encoded URL path, or null when the path tries
 * to leave the folder or is malformed.
 *
 * @example
 * ```ts
 * safeSegments('vae-mnist/genloom.json'); // ['vae-mnist', 'genloom.json']
 * safeSegments('..%2fetc/passwd');        // null
 * ```
 */
export function safeSegments(encodedPath: string): string[] | null {
  if (encodedPath.length > MAX_PATH_LENGTH) return null;
  // Encoded separators and NUL never name a file here; refusing them early also defeats
  // double decoding by any later layer.
  if (/%(2f|5c|00|25)/i.test(encodedPath) || encodedPath.includes('\\') || encodedPath.includes('\0')) return null;
  const raw = encodedPath.replace(/^\/+/, '');
  if (raw === '') return [];
  const segments: string[] = [];
  for (const part of raw.split('/')) {
    let name: string;
    try {
      name = decodeURIComponent(part);
    } catch {
      return null; // malformed escape
    }
    if (name === '' || name.startsWith('.') || name.includes('/') || name.includes('\\') || name.includes('\0') || /^[a-zA-Z]:/.test(name)) return null;
    if (/[\u0000-\u001f\u007f]/.test(name)) return null;
    segments.push(name);
  }
  return segments;
}

/**
 * The real path of a regular file under `root` named by an encoded URL path, or null when the path
 * is refused, is not a file, or (through a link) lies outside `root`.
 *
 * @example
 * ```ts
 * await resolveFileInside('/srv/checkpoints', 'vae-mnist/weights.bin'); // '/srv/checkpoints/vae-mnist/weights.bin'
 * await resolveFileInside('/srv/checkpoints', '%2e%2e/secret');         // null
 * ```
 */
export async function resolveFileInside(root: string, encodedPath: string): Promise<string | null> {
  const segments = safeSegments(encodedPath);
  if (!segments || segments.length === 0) return null;
  const base = resolve(root);
  const candidate = resolve(join(base, ...segments));
  const rel = relative(base, candidate);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  try {
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!realFile.startsWith(realBase + sep)) return null;
    const info = await stat(realFile);
    return info.isFile() ? realFile : null;
  } catch {
    return null;
  }
}
