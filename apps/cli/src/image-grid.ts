import { PNG } from 'pngjs';

/**
 * Lays out N images (NHWC floats in [0, 1], 1, 3 or 4 channels) as a grid and encodes it as PNG.
 * Used by every image family's `genloom sample`.
 *
 * @example
 * ```ts
 * const png = imageGridPng(await samples.data(), [64, 28, 28, 1], { columns: 8 });
 * await writeFile('grid.png', png);
 * ```
 */
export function imageGridPng(pixels: ArrayLike<number>, shape: [number, number, number, number], opts: { columns?: number; padding?: number; scale?: number } = {}): Uint8Array {
  const [n, h, w, c] = shape;
  if (![1, 3, 4].includes(c)) throw new Error(`imageGridPng supports 1, 3 or 4 channels, got ${c}`);
  if (pixels.length !== n * h * w * c) throw new Error(`imageGridPng: ${pixels.length} values do not fill shape [${shape}]`);
  const cols = Math.max(1, Math.min(opts.columns ?? Math.ceil(Math.sqrt(n)), n));
  const rows = Math.ceil(n / cols);
  const pad = opts.padding ?? 2;
  const scale = opts.scale ?? 1;
  const cellW = w * scale + pad;
  const cellH = h * scale + pad;
  const png = new PNG({ width: cols * cellW + pad, height: rows * cellH + pad });
  png.data.fill(255);
  const to8 = (v: number) => Math.max(0, Math.min(255, Math.round(v * 255)));
  for (let i = 0; i < n; i++) {
    const ox = pad + (i % cols) * cellW;
    const oy = pad + Math.floor(i / cols) * cellH;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const src = ((i * h + Math.floor(y / scale)) * w + Math.floor(x / scale)) * c;
        const dst = ((oy + y) * png.width + (ox + x)) * 4;
        const r = to8(pixels[src]!);
        png.data[dst] = r;
        png.data[dst + 1] = c >= 3 ? to8(pixels[src + 1]!) : r;
        png.data[dst + 2] = c >= 3 ? to8(pixels[src + 2]!) : r;
        png.data[dst + 3] = c === 4 ? to8(pixels[src + 3]!) : 255;
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}
