import { createCanvas, loadImage } from '@napi-rs/canvas';

/** Decodes a PNG: its size, and how many pixels differ from the white background. */
export async function decodePng(
  bytes: Buffer,
): Promise<{ width: number; height: number; inked: number; colours: number }> {
  expectPngSignature(bytes);
  const image = await loadImage(bytes);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(0, 0, image.width, image.height);
  let inked = 0;
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) inked++;
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  return { width: image.width, height: image.height, inked, colours: colours.size };
}

function expectPngSignature(bytes: Buffer): void {
  if (!bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    throw new Error('not a PNG');
}
