import QRCode from 'qrcode';
import { labelCell, printedCode } from './label-sheet.util';

/** Points per millimetre. */
const PT = 72 / 25.4;
/** The family name inside the WenQuanYi Micro Hei collection (the .ttc holds two). */
const CJK_FAMILY = 'WenQuanYiMicroHei';

/**
 * One A4 page of label codes as a PDF, laid out as the SVG sheet: each a vector QR code of
 * `<baseUrl>/v/<code>` (one rectangle per dark module), the code in groups of four and the
 * product's name under it in `fontFile` (a TrueType font or collection with CJK glyphs), which
 * pdfkit embeds as a subset: pdfkit's built-in fonts would turn Chinese into garbage. `compress`
 * false leaves the drawing readable (tests read the QR codes back from it).
 */
export async function labelSheetPdf(
  codes: string[],
  baseUrl: string,
  caption: string,
  fontFile: string,
  options: { compress?: boolean } = {},
): Promise<Buffer> {
  // pdfkit, with fontkit and its tables, loads when the first sheet is asked for rather than at
  // boot: a licensing service that prints none does not carry it (several MB of heap).
  const { default: PDFDocument } = await import('pdfkit');
  const base = baseUrl.replace(/\/+$/, '');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    compress: options.compress ?? true,
    info: { Title: `${caption} labels`, Producer: 'Yugong' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontFile, CJK_FAMILY);
  codes.forEach((code, i) => {
    const cell = labelCell(i);
    const { modules } = QRCode.create(`${base}/v/${code}`, { errorCorrectionLevel: 'M' });
    const unit = (cell.qr / modules.size) * PT;
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (modules.get(row, col)) {
          doc.rect(cell.qrX * PT + col * unit, cell.qrY * PT + row * unit, unit, unit);
        }
      }
    }
    doc.fillColor('#000').fill();
    const textWidth = cell.w * PT;
    doc
      .font('Courier')
      .fontSize(2.6 * PT)
      .text(printedCode(code), cell.x * PT, (cell.qrY + cell.qr + 2) * PT, {
        width: textWidth,
        align: 'center',
      });
    doc
      .font('cjk')
      .fontSize(2.8 * PT)
      .text(caption, cell.x * PT, (cell.qrY + cell.qr + 6) * PT, {
        width: textWidth,
        align: 'center',
        lineBreak: false,
        ellipsis: true,
        height: 4 * PT,
      });
  });
  doc.end();
  return done;
}
