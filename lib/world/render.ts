/**
 * Draws a scene: build an SVG string, rasterise it with sharp (librsvg), encode as RGB PNG.
 *
 * The bytes are a pure function of the scene: the SVG text is built with fixed number
 * formatting, sharp's PNG encoder is run with fixed settings and writes no timestamps.
 * Every shape is centred on (x, y) and its fill covers the centre pixel, which the tests use.
 */
import sharp from 'sharp';
import type { Scene, SceneObject } from './scene.js';
import { BACKGROUND, PALETTE } from './vocabulary.js';

// sharp's cache only costs memory here: every SVG is different.
sharp.cache(false);

function f(v: number): string {
  return v.toFixed(2);
}

function polygon(points: Array<[number, number]>, fill: string): string {
  return `<polygon points="${points.map(([x, y]) => `${f(x)},${f(y)}`).join(' ')}" fill="${fill}"/>`;
}

/** SVG element of one object. Shapes stay inside the box [x-r, x+r] x [y-r, y+r]. */
export function objectSvg(o: SceneObject): string {
  const [cr, cg, cb] = PALETTE[o.colour];
  const fill = `rgb(${cr},${cg},${cb})`;
  const { x, y, r } = o;
  switch (o.shape) {
    case 'circle':
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${f(r)}" fill="${fill}"/>`;
    case 'square': {
      const h = 0.85 * r;
      return `<rect x="${f(x - h)}" y="${f(y - h)}" width="${f(2 * h)}" height="${f(2 * h)}" fill="${fill}"/>`;
    }
    case 'triangle': {
      // Equilateral, circumcentre (= centroid) on the object centre.
      const w = (Math.sqrt(3) / 2) * r;
      return polygon([[x, y - r], [x + w, y + r / 2], [x - w, y + r / 2]], fill);
    }
    case 'diamond': {
      // Taller than wide, so it is not a rotated square.
      const w = 0.75 * r;
      return polygon([[x, y - r], [x + w, y], [x, y + r], [x - w, y]], fill);
    }
    case 'star': {
      const pts: Array<[number, number]> = [];
      for (let i = 0; i < 10; i++) {
        const rad = i % 2 === 0 ? r : 0.45 * r;
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        pts.push([x + rad * Math.cos(a), y + rad * Math.sin(a)]);
      }
      return polygon(pts, fill);
    }
  }
}

/** The SVG document of a scene. */
export function sceneToSvg(scene: Scene): string {
  const [br, bg, bb] = BACKGROUND;
  const body = scene.objects.map(objectSvg).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}">` +
    `<rect width="${scene.width}" height="${scene.height}" fill="rgb(${br},${bg},${bb})"/>${body}</svg>`
  );
}

/** Rasterises a scene to an RGB PNG (8 bits per channel, no alpha). */
export async function renderScenePng(scene: Scene): Promise<Buffer> {
  return sharp(Buffer.from(sceneToSvg(scene)))
    .removeAlpha()
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer();
}
