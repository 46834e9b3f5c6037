/**
 * The folder of envmon's package.json, whether this module runs from the TypeScript sources (`lib/`) or from the
 * compiled build (`dist/lib/`). Files read at run time that are not compiled (the console's style sheet and
 * scripts) stay in the source tree and are found from here.
 */
import path from 'node:path';

const compiled = import.meta.filename.endsWith('.js');

export const projectRoot = path.resolve(import.meta.dirname, compiled ? '../..' : '..');
