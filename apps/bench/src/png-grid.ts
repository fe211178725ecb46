import { PNG } from 'pngjs';

/**
 * A PNG of grey images laid out in rows of `columns`, each pixel drawn `scale`×`scale`, with 2-pixel
 * white gaps: the sample grids and films of the bench reports.
 *
 * @example
 * ```ts
 * await writeFile('samples.png', greyGridPng(await samples.data(), 64, 28, 28, 8)); // an 8×8 grid
 * ```
 */
export function greyGridPng(pixels: ArrayLike<number>, n: number, h: number, w: number, columns: number, scale = 2): Uint8Array {
  const rows = Math.ceil(n / columns);
  const pad = 2;
  const png = new PNG({ width: columns * (w * scale + pad) + pad, height: rows * (h * scale + pad) + pad });
  png.data.fill(255);
  for (let i = 0; i < n; i++) {
    const ox = pad + (i % columns) * (w * scale + pad);
    const oy = pad + Math.floor(i / columns) * (h * scale + pad);
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const v = Math.round(Math.max(0, Math.min(1, pixels[(i * h + Math.floor(y / scale)) * w + Math.floor(x / scale)]!)) * 255);
        const o = ((oy + y) * png.width + ox + x) * 4;
        png.data[o] = png.data[o + 1] = png.data[o + 2] = v;
        png.data[o + 3] = 255;
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}
