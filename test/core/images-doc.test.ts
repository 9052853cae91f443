/**
 * docs/images.md lists every catalog image with the facts of PlatformImage.contents. Its generated
 * part must match the catalog; `UPDATE_IMAGES_DOC=1 npx jest test/core/images-doc.test.ts` rewrites it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PlatformImage } from '../../src';
import { renderImagesDoc, withGeneratedPart } from '../images-doc';

const PAGE = path.join(__dirname, '..', '..', 'docs', 'images.md');

test('docs/images.md shows what the image catalog declares', () => {
  const page = fs.readFileSync(PAGE, 'utf8');
  const expected = withGeneratedPart(page);
  if (process.env.UPDATE_IMAGES_DOC === '1' && expected !== page) fs.writeFileSync(PAGE, expected);
  else expect(page).toBe(expected);
});

test('the generated part has a section and a summary row per image, and every executable', () => {
  const doc = renderImagesDoc();
  for (const image of PlatformImage.all()) {
    expect(doc).toContain(`## \`${image.key}\`: \`${image.reference}\``);
    expect(doc).toContain(`| \`${image.key}\` | \`${image.reference}\` |`);
    for (const e of image.contents.executables) expect(doc).toContain(`| \`${e.path}\` |`);
  }
});
