/**
 * Where checkpoint files live. A checkpoint is a small set of named files; a store reads or writes
 * them. Node's directory store (atomic: temporary folder + rename) lives in `@genloom/core/node`;
 * {@link httpCheckpointReader} reads the same files over HTTP in a browser.
 */

/** Reads the files of one checkpoint. */
export interface CheckpointReader {
  /** Human-readable location (a path or URL), used in error messages. */
  readonly location: string;
  /** A file of the checkpoint as UTF-8 text. */
  readText(name: string): Promise<string>;
  /** A file of the checkpoint as bytes. */
  readBytes(name: string): Promise<Uint8Array>;
  /** Whether a file exists (optional files such as the training state). */
  has(name: string): Promise<boolean>;
}

/** Writes all files of one checkpoint at once, so a reader never sees a half-written checkpoint. */
export interface CheckpointWriter {
  readonly location: string;
  /** Writes every file of the checkpoint, replacing the previous checkpoint as a whole. */
  writeAll(files: Record<string, string | Uint8Array>): Promise<void>;
}

/**
 * Reads a checkpoint served over HTTP (the demo site, a CDN): `${baseUrl}/genloom.json`, …
 *
 * @example
 * ```ts
 * const model = await loadModel(httpCheckpointReader('/checkpoints/vae-mnist'));
 * ```
 */
export function httpCheckpointReader(baseUrl: string, fetchImpl: typeof fetch = fetch): CheckpointReader {
  const base = baseUrl.replace(/\/+$/, '');
  const get = async (name: string): Promise<Response> => {
    const res = await fetchImpl(`${base}/${name}`);
    if (!res.ok) throw new Error(`Checkpoint file ${base}/${name}: HTTP ${res.status} ${res.statusText}`);
    return res;
  };
  return {
    location: base,
    readText: async (name) => (await get(name)).text(),
    readBytes: async (name) => new Uint8Array(await (await get(name)).arrayBuffer()),
    has: async (name) => {
      try {
        const res = await fetchImpl(`${base}/${name}`, { method: 'HEAD' });
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}

/**
 * A checkpoint kept in memory (tests, browser sessions before saving to IndexedDB).
 *
 * @example
 * ```ts
 * const mem = memoryCheckpointStore();
 * await saveModel(model, mem.writer);
 * const copy = await loadModel(mem.reader);
 * ```
 */
export function memoryCheckpointStore(location = 'memory'): { reader: CheckpointReader; writer: CheckpointWriter; files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const enc = new TextEncoder();
  const need = (name: string): Uint8Array => {
    const f = files.get(name);
    if (!f) throw new Error(`Checkpoint ${location} has no file "${name}"`);
    return f;
  };
  return {
    files,
    reader: {
      location,
      readText: async (name) => new TextDecoder().decode(need(name)),
      readBytes: async (name) => need(name),
      has: async (name) => files.has(name),
    },
    writer: {
      location,
      writeAll: async (all) => {
        files.clear();
        for (const [name, content] of Object.entries(all)) files.set(name, typeof content === 'string' ? enc.encode(content) : content);
      },
    },
  };
}
