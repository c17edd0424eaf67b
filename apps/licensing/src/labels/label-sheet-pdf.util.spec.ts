import { existsSync } from 'node:fs';
import jsQR from 'jsqr';
import { LabelCodec } from '@yugong/shared/labels';
import { labelSheetPdf } from './label-sheet-pdf.util';
import { labelCell, LABELS_PER_PAGE } from './label-sheet.util';

const FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const PT = 72 / 25.4;
/** Pixels per point of the test's own rasteriser. */
const SCALE = 4;

/**
 * The filled rectangles the page draws (`x y w h re` in pdfkit's top-left coordinates), read from
 * an uncompressed content stream: what a printer would fill.
 */
function rectanglesOf(pdf: string): [number, number, number, number][] {
  return [...pdf.matchAll(/(-?[\d.]+) (-?[\d.]+) ([\d.]+) ([\d.]+) re/g)].map(
    (m) => [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number],
  );
}

/** Rasterises the rectangles inside one label's QR area (and its quiet zone) and decodes them. */
function decodeLabel(rects: [number, number, number, number][], i: number): string | undefined {
  const cell = labelCell(i);
  const quiet = 4 * PT;
  const left = cell.qrX * PT - quiet;
  const top = cell.qrY * PT - quiet;
  const size = cell.qr * PT + 2 * quiet;
  const px = Math.ceil(size * SCALE);
  const data = new Uint8ClampedArray(px * px * 4).fill(255);
  for (const [x, y, w, h] of rects) {
    if (x + w <= left || x >= left + size || y + h <= top || y >= top + size) {
      continue;
    }
    const x0 = Math.max(0, Math.round((x - left) * SCALE));
    const y0 = Math.max(0, Math.round((y - top) * SCALE));
    const x1 = Math.min(px, Math.round((x + w - left) * SCALE));
    const y1 = Math.min(px, Math.round((y + h - top) * SCALE));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const o = (yy * px + xx) * 4;
        data[o] = data[o + 1] = data[o + 2] = 0;
      }
    }
  }
  return jsQR(data, px, px)?.data;
}

const describeWithFont = existsSync(FONT) ? describe : describe.skip;

describeWithFont(labelSheetPdf.name, () => {
  const codec = new LabelCodec('label-tag-key-of-the-tests-0123456789-abcdef');
  const codes = Array.from({ length: LABELS_PER_PAGE }, () => codec.issue());
  const caption = '阳光兔业 冷鲜兔肉';

  it('draws QR codes that decode back to each verify URL, in sheet order', async () => {
    const pdf = (
      await labelSheetPdf(codes, 'https://yugong.example/', caption, FONT, { compress: false })
    ).toString('latin1');
    const rects = rectanglesOf(pdf);
    expect(rects.length).toBeGreaterThan(LABELS_PER_PAGE * 100);
    const decoded = codes.map((_, i) => decodeLabel(rects, i));
    expect(decoded).toEqual(codes.map((c) => `https://yugong.example/v/${c}`));
  });

  it('embeds a subset of the Chinese font and maps its glyphs back to the caption', async () => {
    const pdf = (
      await labelSheetPdf(codes.slice(0, 2), 'https://yugong.example', caption, FONT, { compress: false })
    ).toString('latin1');
    expect(pdf).toMatch(/\/FontFile2 /);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+WenQuanYi/);
    // The ToUnicode map names 兔 (U+5154) and 阳 (U+9633): the text is Chinese, not garbage.
    expect(pdf.toLowerCase()).toContain('<5154>');
    expect(pdf.toLowerCase()).toContain('<9633>');
    // Compressed as served, and still a PDF.
    const served = await labelSheetPdf(codes, 'https://yugong.example', caption, FONT);
    expect(served.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
