/** How the configuration check looks at files: through this, so that what it saw can be recorded (config/config-cache.ts). */
import { existsSync, readFileSync, statSync } from 'node:fs';

/** 'folder' stands for anything that exists and is not a regular file. */
export type FileKind = 'file' | 'folder' | 'missing';

export interface FileAccess {
  kind(absolute: string): FileKind;
  read(absolute: string): string;
}

export const fileSystem: FileAccess = {
  kind: (absolute) => (!existsSync(absolute) ? 'missing' : statSync(absolute).isFile() ? 'file' : 'folder'),
  read: (absolute) => readFileSync(absolute, 'utf8'),
};
