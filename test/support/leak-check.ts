/** Fails a test (or a file) that leaves a database handle, service or queue client open. */
import { afterAll, afterEach, expect } from 'vitest';
import { openResources } from './resources.ts';

afterEach(() => {
  const leaked = openResources('test');
  expect(leaked, `left open by this test: ${leaked.join(', ')}`).toEqual([]);
});

afterAll(() => {
  const leaked = openResources('file');
  expect(leaked, `left open by this file: ${leaked.join(', ')}`).toEqual([]);
});
