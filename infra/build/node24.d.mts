// Types of tools/node24.mjs (plain JavaScript, so that an older system Node can run it) for its tests.
export declare const REQUIRED_MAJOR: 24;

export interface Machine {
  nodeVersion: string;
  platform: string;
  arch: string;
}

export type Plan = { action: 'here' } | { action: 'pinned' } | { action: 'refuse'; message: string };

export declare const pinnedNodeVersion: () => string;
export declare const plan: (machine: Machine) => Plan;
export declare const cachedNodeDir: (version: string, env?: NodeJS.ProcessEnv) => string;
export declare const pinnedNodeBinary: (version?: string, env?: NodeJS.ProcessEnv) => string;
export declare const main: (argv: string[], machine?: Machine, env?: NodeJS.ProcessEnv) => Promise<number | undefined>;
