// swagger2openapi ships no types; this is the one function PrivateJet uses.
declare module 'swagger2openapi' {
  export function convertObj(document: unknown, options: Record<string, unknown>): Promise<{ openapi: Record<string, unknown> }>;
}
