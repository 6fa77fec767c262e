import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm run deploy -- <cdk deploy arguments>`: `cdk deploy` with every argument passed through,
 * after a warning when no alarm recipient is configured (the alarms would notify no one).
 */

const ALARM_RECIPIENT_KEYS = ['alarmEmail', 'alarmTopic'];

/** The context keys set by `-c key=value`, `--context key=value` or `--context=key=value`. */
export const contextKeysInArgs = (args: string[]): string[] =>
  args.flatMap((arg, index) => {
    const pair = arg === '-c' || arg === '--context' ? args[index + 1] : /^--context=(.*)$/.exec(arg)?.[1];
    const key = pair?.split('=')[0];
    return key && pair?.includes('=') && pair.slice(key.length + 1) !== '' ? [key] : [];
  });

/** The warning to print before deploying, or undefined (pure). */
export const alarmsWarning = (args: string[], cdkJsonContext: Record<string, unknown>): string | undefined => {
  const keys = new Set([
    ...contextKeysInArgs(args),
    ...Object.entries(cdkJsonContext)
      .filter(([, value]) => value !== undefined && value !== null && value !== '')
      .map(([key]) => key),
  ]);
  return ALARM_RECIPIENT_KEYS.some((key) => keys.has(key))
    ? undefined
    : 'warning: neither alarmEmail nor alarmTopic is set, so alarms will notify no one (npm run deploy -- -c alarmEmail=ops@example.com)';
};

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`usage: npm run deploy -- [cdk deploy options]

Runs \`cdk deploy\` with every argument passed through (see \`npx cdk deploy --help\`), after warning
on stderr when no alarm recipient is set (-c alarmEmail=... or -c alarmTopic=..., or in cdk.json).

exit code: that of cdk deploy (0 success).`);
    process.exit(0);
  }
  const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> };
  const warning = alarmsWarning(args, cdkJson.context ?? {});
  if (warning) console.error(warning);
  const result = spawnSync('npx', ['cdk', 'deploy', ...args], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
