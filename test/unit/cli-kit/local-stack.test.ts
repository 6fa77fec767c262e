import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LocalEndpoints,
  localAwsEndpoint,
  readLocalEndpoints,
  removeLocalEndpoints,
  writeLocalEndpoints,
} from '../../../infra/cli-kit/local-stack';

/** How the CLIs find a running `npm start`: its endpoints file, unless a flag or LOCAL_AWS_PORT says otherwise. */
let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openim-friend-events-endpoints-'));
  file = join(dir, 'nested', 'endpoints.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const endpoints = (pid: number): LocalEndpoints => ({
  pid,
  callbackUrl: 'http://127.0.0.1:41000/openim/local-dev-token',
  awsEndpoint: 'http://127.0.0.1:41001',
  openImApiUrl: 'http://127.0.0.1:41002',
  standIn: true,
  eventsFile: '/x/events.jsonl',
  ports: { callback: 41000, aws: 41001, standIn: 41002 },
});
/** The pid of a process that has exited. */
const exitedPid = () => Number(spawnSync(process.execPath, ['-e', '']).pid);

it("reads a running npm start's endpoints, and ignores a file whose process is gone or that is not one", () => {
  writeLocalEndpoints(file, endpoints(process.pid));
  expect(readLocalEndpoints(file)).toEqual(endpoints(process.pid));
  writeLocalEndpoints(file, endpoints(exitedPid()));
  expect(readLocalEndpoints(file)).toBeUndefined();
  writeFileSync(file, '{"pid":');
  expect(readLocalEndpoints(file)).toBeUndefined();
  expect(readLocalEndpoints(join(dir, 'none.json'))).toBeUndefined();
});

it('finds the AWS endpoint: LOCAL_AWS_PORT first, then the endpoints file, then the default port', () => {
  writeLocalEndpoints(file, endpoints(process.pid));
  expect(localAwsEndpoint({ LOCAL_AWS_PORT: '9999', LOCAL_ENDPOINTS_FILE: file })).toBe('http://127.0.0.1:9999');
  expect(localAwsEndpoint({ LOCAL_ENDPOINTS_FILE: file })).toBe('http://127.0.0.1:41001');
  expect(localAwsEndpoint({ LOCAL_ENDPOINTS_FILE: join(dir, 'none.json') })).toBe('http://127.0.0.1:8788');
});

it("removes the file on exit only while it is still this process's", () => {
  writeLocalEndpoints(file, endpoints(process.pid + 1));
  removeLocalEndpoints(file, process.pid);
  expect(existsSync(file)).toBe(true);
  writeLocalEndpoints(file, endpoints(process.pid));
  removeLocalEndpoints(file, process.pid);
  expect(existsSync(file)).toBe(false);
});
