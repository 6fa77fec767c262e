// Types of infra/build/esbuild-bundle.mjs (plain JavaScript, run as a child process by BundledFunction).
import type { Plugin } from 'esbuild';

export declare const builtinsAsCommonJs: Plugin;
