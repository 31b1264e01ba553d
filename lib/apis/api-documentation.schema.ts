import { z } from 'zod';

/**
 * A guide of 100,000 characters is some forty printed pages: room for any real API's usage notes,
 * while one row and one rendered page stay small.
 */
export const MAX_DOCUMENTATION_CHARACTERS = 100_000;

export const documentationMarkdownSchema = z
  .string()
  .max(MAX_DOCUMENTATION_CHARACTERS, `Keep the documentation under ${MAX_DOCUMENTATION_CHARACTERS.toLocaleString('en')} characters; link to longer guides.`)
  // Browsers send form text with CRLF line ends; stored as LF, so what is saved is what is shown.
  .transform((text) => text.replace(/\r\n?/g, '\n'));

export const saveDocumentationSchema = z.object({
  apiId: z.uuid(),
  markdown: documentationMarkdownSchema.default(''),
});

export type SaveDocumentationInput = z.infer<typeof saveDocumentationSchema>;
