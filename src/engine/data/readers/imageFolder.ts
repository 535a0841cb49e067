/**
 * A folder of PNG/JPEG images: flat (unlabelled) or one subfolder per class. Images become
 * grayscale when every one is gray, RGB otherwise, all resized to one size.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { emptyExtent, widenExtent } from '../arrays';
import { DataError, type LoadOptions } from '../dataset';
import type { FormatReader } from '../formats';
import { checkValueBudget, formatBytes, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_FILES, MAX_IMAGE_MEGAPIXELS } from '../limits';
import { resizeBilinear } from '../resize';

const IMAGE_NAME = /\.(png|jpe?g)$/i;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Listing {
  files: string[];
  labels?: number[];
  labelNames?: string[];
}

/** RGB pixels, alpha composited over black because a transparent pixel's color means nothing. */
interface Picture {
  width: number;
  height: number;
  rgb: Uint8Array;
  gray: boolean;
}

function isInside(root: string, target: string): boolean {
  const path = relative(root, target);
  return path !== '' && !isAbsolute(path) && path.split(sep)[0] !== '..';
}

/** Image files and subfolders of `folder`, by name, refusing links that leave `realRoot`. */
async function entriesOf(folder: string, realRoot: string): Promise<{ images: string[]; folders: string[] }> {
  const images: string[] = [];
  const folders: string[] = [];
  const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    let kind: { isDirectory(): boolean; isFile(): boolean } = entry;
    if (entry.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      if (target === undefined) throw new DataError(`${path}: is a broken symbolic link; remove it`);
      if (!isInside(realRoot, target)) throw new DataError(`${path}: is a symbolic link to ${target}, outside the dataset folder; copy the files into the folder instead`);
      kind = await stat(target);
    }
    if (kind.isDirectory()) folders.push(path);
    else if (kind.isFile() && IMAGE_NAME.test(entry.name)) images.push(path);
  }
  return { images, folders };
}

async function listImages(root: string): Promise<Listing> {
  const realRoot = await realpath(root);
  const top = await entriesOf(root, realRoot);
  const classes: { name: string; images: string[] }[] = [];
  let total = top.images.length;
  for (const folder of top.folders) {
    const { images } = await entriesOf(folder, realRoot);
    total += images.length;
    if (total > MAX_IMAGE_FILES) break;
    if (images.length > 0) classes.push({ name: basename(folder), images });
  }
  if (total > MAX_IMAGE_FILES) throw new DataError(`${root}: holds over ${MAX_IMAGE_FILES} images; split the folder or convert it to .npy`);
  if (classes.length > 0 && top.images.length > 0) {
    throw new DataError(`${root}: mixes images with class subfolders; put every image in a class subfolder, or none`);
  }
  if (classes.length === 0) {
    if (top.images.length === 0) throw new DataError(`${root}: holds no PNG or JPEG images (directly or in class subfolders)`);
    return { files: top.images };
  }
  return {
    files: classes.flatMap((entry) => entry.images),
    labels: classes.flatMap((entry, label) => entry.images.map(() => label)),
    labelNames: classes.map((entry) => entry.name),
  };
}

function decodePixels(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    // pngjs has no size limit of its own, so check the declared size before it allocates.
    if (bytes.length >= 24 && bytes.readUInt32BE(16) * bytes.readUInt32BE(20) > MAX_IMAGE_MEGAPIXELS * 1e6) {
      throw new Error(`it declares ${bytes.readUInt32BE(16)}×${bytes.readUInt32BE(20)} pixels, over ${MAX_IMAGE_MEGAPIXELS} megapixels`);
    }
    return PNG.sync.read(bytes);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    return decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_MEGAPIXELS, maxMemoryUsageInMB: 512 });
  }
  throw new Error('it is neither PNG nor JPEG');
}

async function readPicture(path: string): Promise<Picture> {
  const size = (await stat(path)).size;
  if (size > MAX_IMAGE_FILE_BYTES) throw new DataError(`${path}: is ${formatBytes(size)}, over the ${formatBytes(MAX_IMAGE_FILE_BYTES)} per-image limit; shrink it`);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decodePixels(await readFile(path));
  } catch (error) {
    throw new DataError(`${path}: cannot decode the image (${error instanceof Error ? error.message : String(error)}); re-save or remove it`);
  }
  const { width, height, data } = decoded;
  if (width === 0 || height === 0) throw new DataError(`${path}: the image is empty (${width}×${height}); remove it`);
  const rgb = new Uint8Array(width * height * 3);
  let gray = true;
  for (let pixel = 0; pixel < width * height; pixel++) {
    const alpha = data[pixel * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) rgb[pixel * 3 + c] = Math.round(data[pixel * 4 + c]! * alpha);
    gray &&= rgb[pixel * 3] === rgb[pixel * 3 + 1] && rgb[pixel * 3] === rgb[pixel * 3 + 2];
  }
  return { width, height, rgb, gray };
}

function checkSize([height, width]: [number, number], where: string): [number, number] {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1 || height * width > MAX_IMAGE_MEGAPIXELS * 1e6) {
    throw new DataError(`${where}: image size ${height}×${width} is not usable; choose positive whole numbers up to ${MAX_IMAGE_MEGAPIXELS} megapixels`);
  }
  return [height, width];
}

interface Walk {
  listing: Listing;
  count: number;
  size: [number, number];
  gray: boolean;
}

/**
 * Decodes the first `limit` images one at a time, resized to a common size: `start` learns the
 * count and size before the first `visit` gets its RGB pixels.
 */
async function walkImages(
  root: string,
  { limit, signal, imageSize }: LoadOptions,
  start: (count: number, size: [number, number]) => void,
  visit: (index: number, rgb: Uint8Array) => void,
): Promise<Walk> {
  const requested = imageSize && checkSize(imageSize, root);
  const listing = await listImages(root);
  const files = listing.files.slice(0, limit ?? listing.files.length);
  const first = await readPicture(files[0]!);
  const size = requested ?? checkSize([first.height, first.width], files[0]!);
  start(files.length, size);
  let gray = true;
  for (const [index, file] of files.entries()) {
    signal?.throwIfAborted();
    const picture = index === 0 ? first : await readPicture(file);
    gray &&= picture.gray;
    visit(index, resizeBilinear(picture.rgb, picture.width, picture.height, 3, size[1], size[0]));
  }
  return { listing, count: files.length, size, gray };
}

function firstChannel(rgb: Uint8Array): Uint8Array {
  const gray = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < gray.length; i++) gray[i] = rgb[i * 3]!;
  return gray;
}

export const imageFolderReader: FormatReader = {
  async load(path, options) {
    let rgb = new Uint8Array(0);
    let pixels = 0;
    const walk = await walkImages(
      path,
      options,
      (count, [height, width]) => {
        pixels = height * width;
        checkValueBudget(count * pixels * 3, path);
        rgb = new Uint8Array(count * pixels * 3);
      },
      (index, image) => rgb.set(image, index * pixels * 3),
    );
    const [height, width] = walk.size;
    const data = walk.gray ? firstChannel(rgb) : rgb;
    const { labels, labelNames } = walk.listing;
    return {
      array: { dtype: 'uint8', shape: [walk.count, height, width, walk.gray ? 1 : 3], data },
      ...(labels ? { labels: Int32Array.from(labels.slice(0, walk.count)), labelNames } : {}),
    };
  },
  async inspect(path, options) {
    let extent = emptyExtent();
    const walk = await walkImages(
      path,
      options,
      () => undefined,
      (_, image) => {
        extent = widenExtent(extent, image, image.length, path);
      },
    );
    const { labels, labelNames } = walk.listing;
    return {
      dtype: 'uint8',
      shape: [walk.count, ...walk.size, walk.gray ? 1 : 3],
      ...extent,
      ...(labels && labelNames ? { labels: { count: walk.count, classes: labelNames.length, names: labelNames } } : {}),
    };
  },
};
