/**
 * Drawing model outputs: images [N, H, W, C] with values in [0, 1] into a canvas grid, and reading a
 * drawn canvas back as an MNIST-like 28×28 digit.
 */

/**
 * Draws `n` images (row-major [N, H, W, C], C = 1, 3 or 4, values in [0, 1]) as a grid of
 * `columns` into `canvas`, one canvas pixel per image pixel (CSS scales it up, pixelated).
 *
 * @example
 * ```ts
 * drawGrid(canvas, await images.data(), [16, 28, 28, 1], 4);
 * ```
 */
export function drawGrid(canvas: HTMLCanvasElement, data: ArrayLike<number>, shape: readonly number[], columns: number, gap = 1): void {
  const [n, hgt, wid, ch] = shape as [number, number, number, number];
  const cols = Math.max(1, Math.min(columns, n));
  const rows = Math.ceil(n / cols);
  canvas.width = cols * wid + (cols - 1) * gap;
  canvas.height = rows * hgt + (rows - 1) * gap;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  img.data.fill(255); // gaps stay white
  for (let k = 0; k < n; k++) {
    const ox = (k % cols) * (wid + gap);
    const oy = Math.floor(k / cols) * (hgt + gap);
    for (let y = 0; y < hgt; y++) {
      for (let x = 0; x < wid; x++) {
        const src = ((k * hgt + y) * wid + x) * ch;
        const dst = ((oy + y) * canvas.width + ox + x) * 4;
        const v = (i: number) => Math.round(Math.min(1, Math.max(0, data[src + i]!)) * 255);
        if (ch === 1) {
          const g = v(0);
          img.data[dst] = img.data[dst + 1] = img.data[dst + 2] = g;
          img.data[dst + 3] = 255;
        } else {
          img.data[dst] = v(0);
          img.data[dst + 1] = v(1);
          img.data[dst + 2] = v(2);
          img.data[dst + 3] = ch === 4 ? v(3) : 255;
        }
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Reads a drawing (white strokes on black) as an MNIST-style digit: the ink's bounding box scaled
 * so its longer side is 20 pixels, placed in a 28×28 field with its centre of mass at the centre
 * (how MNIST was made). Returns 784 values in [0, 1], or null for an empty drawing.
 */
export function canvasToDigit(source: HTMLCanvasElement): Float32Array | null {
  const w = source.width;
  const hgt = source.height;
  const pixels = source.getContext('2d')!.getImageData(0, 0, w, hgt).data;
  let x0 = w, y0 = hgt, x1 = -1, y1 = -1;
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) {
      if (pixels[(y * w + x) * 4]! > 32) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  // Downscale the box with the browser's smoothing, then centre by mass.
  const small = document.createElement('canvas');
  small.width = tw;
  small.height = th;
  const sctx = small.getContext('2d')!;
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = 'high';
  sctx.drawImage(source, x0, y0, bw, bh, 0, 0, tw, th);
  const sp = sctx.getImageData(0, 0, tw, th).data;
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = sp[(y * tw + x) * 4]! / 255;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  const cx = mass > 0 ? mx / mass : tw / 2;
  const cy = mass > 0 ? my / mass : th / 2;
  const ox = Math.round(14 - cx);
  const oy = Math.round(14 - cy);
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const X = x + ox;
      const Y = y + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = sp[(y * tw + x) * 4]! / 255;
    }
  }
  return out;
}

/** Paints a 28×28 digit (values in [0, 1]) onto a drawing canvas, scaled up. */
export function paintDigit(target: HTMLCanvasElement, digit: ArrayLike<number>): void {
  const ctx = target.getContext('2d')!;
  const tmp = document.createElement('canvas');
  drawGrid(tmp, digit, [1, 28, 28, 1], 1);
  ctx.imageSmoothingEnabled = true;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, target.width, target.height);
  ctx.drawImage(tmp, 0, 0, target.width, target.height);
}

/** Mean and standard deviation of a canvas's grey values (tests and the page use it to tell output from blank). */
export function canvasStats(canvas: HTMLCanvasElement): { mean: number; std: number } {
  const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let s = 0, s2 = 0;
  const n = d.length / 4;
  for (let i = 0; i < d.length; i += 4) {
    s += d[i]!;
    s2 += d[i]! * d[i]!;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}
