/**
 * Which kind of file an upload is, judged by its first bytes (magic numbers), never by its name or
 * the browser's claim. Only method materials a municipality shares are accepted: PDF, images and
 * office documents.
 */
export interface DetectedType {
  contentType: string;
  extension: string;
}

const startsWith = (data: Buffer, bytes: number[], offset = 0) =>
  data.length >= offset + bytes.length && bytes.every((b, i) => data[offset + i] === b);

function zipKind(data: Buffer): DetectedType | undefined {
  // OpenDocument: the first entry is an uncompressed "mimetype" file holding the media type.
  const head = data.subarray(0, 200).toString('latin1');
  if (head.slice(30, 38) === 'mimetype') {
    if (head.includes('application/vnd.oasis.opendocument.text'))
      return { contentType: 'application/vnd.oasis.opendocument.text', extension: 'odt' };
    if (head.includes('application/vnd.oasis.opendocument.presentation'))
      return { contentType: 'application/vnd.oasis.opendocument.presentation', extension: 'odp' };
    if (head.includes('application/vnd.oasis.opendocument.spreadsheet'))
      return { contentType: 'application/vnd.oasis.opendocument.spreadsheet', extension: 'ods' };
    return undefined;
  }
  // Office Open XML: the part names are stored in clear in the local file headers.
  const names = data.toString('latin1');
  if (!names.includes('[Content_Types].xml')) return undefined;
  if (names.includes('word/'))
    return {
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      extension: 'docx',
    };
  if (names.includes('ppt/'))
    return {
      contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      extension: 'pptx',
    };
  if (names.includes('xl/'))
    return {
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      extension: 'xlsx',
    };
  return undefined;
}

export function detectFileType(data: Buffer): DetectedType | undefined {
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d]))
    return { contentType: 'application/pdf', extension: 'pdf' };
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { contentType: 'image/png', extension: 'png' };
  if (startsWith(data, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', extension: 'jpg' };
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8))
    return { contentType: 'image/webp', extension: 'webp' };
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) return zipKind(data);
  return undefined;
}

export const acceptedTypesText = 'PDF, PNG, JPEG, WebP, Word/PowerPoint/Excel (OOXML) or OpenDocument';
