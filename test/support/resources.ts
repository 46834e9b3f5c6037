/**
 * Book-keeping of what tests open, so that the leak check can name what a test forgot to close. A resource
 * opened inside a test must be closed by its end; one opened in `beforeAll` by the end of its file.
 */
import { expect } from 'vitest';

const open = new Map<number, { label: string; test: string | undefined }>();
let next = 0;

/** Registers a resource; returns the function that marks it closed. */
export function trackResource(label: string): () => void {
  const id = next++;
  open.set(id, { label, test: expect.getState().currentTestName });
  return () => open.delete(id);
}

export function openResources(scope: 'test' | 'file'): string[] {
  return [...open.values()].filter((r) => (scope === 'test' ? r.test !== undefined : true)).map((r) => r.label);
}
