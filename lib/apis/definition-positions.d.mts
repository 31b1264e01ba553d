export interface SourcePosition {
  line: number;
  column: number;
}
export const MAX_LOCATED_CHARACTERS: number;
export function positionOfOffset(text: string, offset: number): SourcePosition;
export function jsonErrorPosition(text: string, message: string): SourcePosition | null;
export function pathAtPrettyJsonLine(document: unknown, targetLine: number): (string | number)[] | null;
export function createPathLocator(text: string): (path: (string | number)[] | null) => SourcePosition | null;
export function prettyJsonLineOfError(message: string): number | null;
