import { z } from 'zod';
import { apiNameSchema, apiSpecFields, apiVersionSchema, definitionDocumentSchema, definitionTextSchema } from './apis.schema';

/**
 * The declarative API file: one YAML (or JSON) document per API, applied by the CLI
 * (`privatejet apply -f`) through the REST API's PUT by name and version, and produced by
 * `export`. Its spec is the REST API's ApiSpec, except that the definition may name a file,
 * which the CLI reads (relative to the API file) and sends inline.
 */

export const API_FILE_API_VERSION = 'privatejet/v1';
export const API_FILE_KIND = 'API';

export const definitionFileReferenceSchema = z
  .strictObject({ file: z.string().min(1).max(1000).meta({ description: 'A path to the definition, relative to this file (read by the CLI).' }) })
  .meta({ description: 'The definition in a file of its own.' });

export const apiFileSchema = z
  .strictObject({
    apiVersion: z.literal(API_FILE_API_VERSION, { error: `Write apiVersion: ${API_FILE_API_VERSION}` }),
    kind: z.literal(API_FILE_KIND, { error: `Write kind: ${API_FILE_KIND}` }),
    metadata: z.strictObject({ name: apiNameSchema, version: apiVersionSchema }),
    spec: z
      .strictObject({
        ...apiSpecFields,
        definition: z.union([definitionFileReferenceSchema, definitionDocumentSchema, definitionTextSchema]).optional(),
      })
      .refine((spec) => spec.definition === undefined || spec.resources === undefined, {
        error: 'Give the operations one way: a definition or resources.',
        path: ['definition'],
      }),
  })
  .meta({
    id: 'ApiFile',
    title: 'PrivateJet API file',
    description:
      'One API of PrivateJet, as `privatejet apply -f` applies it and `privatejet export` writes it. ' +
      'Settings left out take their defaults; clusters and state left out are left as they are.',
  });
export type ApiFile = z.infer<typeof apiFileSchema>;

/** The JSON Schema (2020-12) of the file, for editors and for the repository (tools/cli/api-file.schema.json). */
export function apiFileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(apiFileSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
