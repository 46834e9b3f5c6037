/** Types of build-stamp.mjs (plain JavaScript: the launcher runs it before any TypeScript loader). */
export declare const STAMP_FILE: string;
export declare function hashSources(root: string, inputs: readonly string[]): string;
export declare function buildState(root: string): 'current' | 'stale' | 'none';
