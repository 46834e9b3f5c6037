/** Types of bundle-packages.mjs (plain JavaScript, as the build script that runs it). */
export declare function bundledManifests(root: string): string[];
export declare function bundlePackages(root: string, dist: string): Promise<void>;
