import QRCode from 'qrcode';

/** Labels on one A4 page: 4 columns of 6. */
export const LABELS_PER_PAGE = 24;
const COLUMNS = 4;
const PAGE_W = 210;
const PAGE_H = 297;
const CELL_W = 50;
const CELL_H = 47;
const QR = 34;
const MARGIN_X = (PAGE_W - COLUMNS * CELL_W) / 2;
const MARGIN_Y = 8;

/** Where label `i` of a page is: its cell's top left, the QR code's top left and size (mm). */
export function labelCell(i: number): {
  x: number;
  y: number;
  qrX: number;
  qrY: number;
  qr: number;
  w: number;
  h: number;
} {
  const x = MARGIN_X + (i % COLUMNS) * CELL_W;
  const y = MARGIN_Y + Math.floor(i / COLUMNS) * CELL_H;
  return { x, y, qrX: x + CELL_W / 2 - QR / 2, qrY: y + 1, qr: QR, w: CELL_W, h: CELL_H };
}

const xml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** The dark modules of `text`'s QR code as one SVG path, scaled to `size` mm at (x, y). */
function qrPath(text: string, x: number, y: number, size: number): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const unit = size / n;
  const parts: string[] = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (modules.get(row, col)) {
        parts.push(
          `M${(x + col * unit).toFixed(3)} ${(y + row * unit).toFixed(3)}h${unit.toFixed(3)}v${unit.toFixed(3)}h-${unit.toFixed(3)}z`,
        );
      }
    }
  }
  return `<path d="${parts.join('')}" fill="#000"/>`;
}

/** A code as printed under its QR code: groups of four. */
export const printedCode = (code: string) => code.replace(/(.{4})(?!$)/g, '$1-');

/**
 * One A4 page (millimetres) of label codes: each a vector QR code of `<baseUrl>/v/<code>`, the
 * code in groups of four and the product's name under it. Chinese text is left to the printing
 * viewer's fonts (an SVG embeds none).
 */
export function labelSheetSvg(codes: string[], baseUrl: string, caption: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const cells = codes.map((code, i) => {
    const x = MARGIN_X + (i % COLUMNS) * CELL_W;
    const y = MARGIN_Y + Math.floor(i / COLUMNS) * CELL_H;
    const cx = x + CELL_W / 2;
    return [
      `<g>`,
      qrPath(`${base}/v/${code}`, cx - QR / 2, y + 1, QR),
      `<text x="${cx}" y="${y + QR + 5}" text-anchor="middle" font-family="monospace" font-size="2.6">${xml(printedCode(code))}</text>`,
      `<text x="${cx}" y="${y + QR + 9}" text-anchor="middle" font-family="sans-serif" font-size="2.8">${xml(caption)}</text>`,
      `</g>`,
    ].join('');
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PAGE_W}mm" height="${PAGE_H}mm" viewBox="0 0 ${PAGE_W} ${PAGE_H}">`,
    `<rect width="${PAGE_W}" height="${PAGE_H}" fill="#fff"/>`,
    ...cells,
    `</svg>`,
  ].join('\n');
}
