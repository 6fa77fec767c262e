import { maskCallbackUrl, maskPathToken } from '../../../infra/cli-kit/mask-token';

describe('maskPathToken (the local server console)', () => {
  it.each([
    ['/openim/tok/callbackAfterAddFriendCommand', '/openim/<token>/callbackAfterAddFriendCommand'],
    ['/openim/a-wrong-one/callbackAfterAddFriendCommand', '/openim/<token>/callbackAfterAddFriendCommand'],
    ['//openim//a-wrong-one/callbackAfterAddFriendCommand', '//openim//<token>/callbackAfterAddFriendCommand'],
    ['/openim//a-wrong-one//', '/openim//<token>//'],
    ['/junk/openim/a-wrong-one/x', '/junk/openim/<token>/x'],
    ['/openim/tok/tok', '/openim/<token>/<token>'],
    ['/tok/callbackAfterAddFriendCommand', '/<token>/callbackAfterAddFriendCommand'],
    ['/other/%74ok/x', '/other/<token>/x'],
    ['/openim', '/openim'],
    ['/', '/'],
    ['//', '//'],
  ])('prints %s as %s (token "tok")', (path, printed) => {
    expect(maskPathToken(path, 'openim', 'tok')).toBe(printed);
  });

  it('finds the token place after a prefix of several segments', () => {
    expect(maskPathToken('/hooks//openim/secret/c', 'hooks/openim', 'tok')).toBe('/hooks//openim/<token>/c');
  });
});

describe('maskCallbackUrl (npm run send)', () => {
  it.each([
    [
      'the token as the last segment',
      'https://api.example/openim/s3cr3t/callbackAfterAddFriendCommand',
      'https://api.example/openim/s3cr3t',
      'https://api.example/openim/<token>/callbackAfterAddFriendCommand',
    ],
    [
      'a token that also starts an earlier part of the URL',
      'http://127.0.0.1:8787/openim/o/callbackAfterAddFriendCommand',
      'http://127.0.0.1:8787/openim/o',
      'http://127.0.0.1:8787/openim/<token>/callbackAfterAddFriendCommand',
    ],
    [
      'a command pasted after the token',
      'https://api.example/openim/s3cr3t/callbackAfterAddFriendCommand/callbackAfterAddFriendCommand',
      'https://api.example/openim/s3cr3t/callbackAfterAddFriendCommand',
      'https://api.example/openim/<token>/callbackAfterAddFriendCommand/callbackAfterAddFriendCommand',
    ],
    [
      'a trailing slash (the command after //)',
      'https://api.example/openim/s3cr3t//callbackAfterAddFriendCommand',
      'https://api.example/openim/s3cr3t/',
      'https://api.example/openim/<token>//callbackAfterAddFriendCommand',
    ],
    [
      'the v3.0-v3.4.0 query form',
      'https://api.example/openim/s3cr3t?command=callbackAfterAddFriendCommand',
      'https://api.example/openim/s3cr3t',
      'https://api.example/openim/<token>?command=callbackAfterAddFriendCommand',
    ],
    [
      'credentials in the URL',
      'https://user:pass@api.example/openim/s3cr3t/c',
      'https://user:pass@api.example/openim/s3cr3t',
      'https://api.example/openim/<token>/c',
    ],
  ])('masks %s', (_label, requestUrl, configuredUrl, printed) => {
    expect(maskCallbackUrl(requestUrl, configuredUrl)).toBe(printed);
  });
});
