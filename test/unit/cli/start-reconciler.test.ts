import { DEFAULT_STAND_IN_PORT, reconcilerEnvironment } from '../../../infra/local/start-reconciler';

/** What `npm start` reads from its environment for the OpenIM API stand-in. */
describe('the OpenIM API stand-in of npm start', () => {
  it("listens by default on 10302, not OpenIM's own API port (10002), so it starts beside a running OpenIM", () => {
    expect(DEFAULT_STAND_IN_PORT).toBe(10_302);
    expect(reconcilerEnvironment({}).openIm.standInPort).toBe(10_302);
  });

  it('stays on loopback when HOST=0.0.0.0 opens the callback server to a container: its secret is known and its control routes take no token', () => {
    expect(reconcilerEnvironment({ HOST: '0.0.0.0' }).openIm.standInHost).toBe('127.0.0.1');
  });

  it('listens elsewhere only when OPENIM_STANDIN_HOST asks', () => {
    expect(reconcilerEnvironment({ HOST: '0.0.0.0', OPENIM_STANDIN_HOST: '0.0.0.0' }).openIm.standInHost).toBe(
      '0.0.0.0',
    );
  });
});
