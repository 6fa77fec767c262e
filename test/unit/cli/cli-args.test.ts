import { contextInArgs } from '../../../infra/cli/cdk-cli';
import { alarmsWarning } from '../../../infra/cli/deploy';
import { flag, helpText, integer, parseCli, string, strings, UsageError, url } from '../../../infra/cli-kit/cli-args';
import { CliError, describeError } from '../../../infra/cli-kit/cli-errors';

const spec = {
  usage: 'npm run thing -- --name <name>',
  description: 'Does a thing.',
  options: {
    name: string('who', { placeholder: 'name', required: true }),
    color: string('which', { choices: ['red', 'blue'], default: 'red' }),
    max: integer('how many', { min: 1, max: 10, default: 5 }),
    dry: flag('only say it'),
  },
  exitCodes: { 0: 'done', 2: 'a wrong option', 130: 'interrupted' },
};
const parse = (...argv: string[]) => parseCli(spec, argv);
const usageError = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('no usage error');
};

describe('parseCli', () => {
  it('reads typed values and applies defaults', () => {
    expect(parse('--name', 'a', '--max', '10', '--dry')).toEqual({
      help: false,
      values: { name: 'a', color: 'red', max: 10, dry: true },
    });
  });

  it('answers --help and -h before checking anything else', () => {
    expect(parse('--help')).toEqual({ help: true });
    expect(parse('-h', '--max', 'abc')).toEqual({ help: true });
  });

  it.each([
    [['--name', 'a', '--max', 'abc'], '--max must be a whole number from 1 to 10 (got "abc")'],
    [['--name', 'a', '--max', '0'], '--max must be a whole number from 1 to 10 (got "0")'],
    [['--name', 'a', '--max', '11'], '--max must be a whole number from 1 to 10 (got "11")'],
    [['--name', 'a', '--max', '2.5'], '--max must be a whole number from 1 to 10 (got "2.5")'],
    [['--name', 'a', '--max', '1e1'], '--max must be a whole number from 1 to 10 (got "1e1")'],
    [[], '--name is required: who'],
    [['--name', ''], '--name must not be empty'],
    [['--name', 'a', '--color', 'green'], '--color must be one of red, blue (got "green")'],
  ])('refuses %j in one line naming the option: %s', (argv, message) => {
    expect(usageError(...argv)).toBe(message);
  });

  it.each(['notaurl', 'ftp://host/x', '//host/openim/tok', 'http//host'])(
    'refuses %j as a URL option in one line, without echoing it (a callback URL holds the token)',
    (value) => {
      const withUrl = { ...spec, options: { ...spec.options, endpoint: url('where', { example: 'https://<api>/x' }) } };
      expect(() => parseCli(withUrl, ['--name', 'a', '--endpoint', value])).toThrow(
        new UsageError('--endpoint must be an http(s) URL such as https://<api>/x (the value given is not one)'),
      );
    },
  );

  it('takes an http(s) URL as given', () => {
    const withUrl = { ...spec, options: { ...spec.options, endpoint: url('where', { example: 'https://<api>/x' }) } };
    expect(parseCli(withUrl, ['--name', 'a', '--endpoint', 'https://h/openim/t'])).toMatchObject({
      values: { endpoint: 'https://h/openim/t' },
    });
  });

  it('takes a repeatable option every time it is given, in order, and none as an empty list', () => {
    const listSpec = { ...spec, options: { user: strings('whose lists', 'id') } };
    expect(parseCli(listSpec, ['--user', 'b', '--user', 'a'])).toEqual({ help: false, values: { user: ['b', 'a'] } });
    expect(parseCli(listSpec, [])).toEqual({ help: false, values: { user: [] } });
    expect(() => parseCli(listSpec, ['--user', ''])).toThrow('--user must not be empty');
    expect(helpText(listSpec)).toContain('--user <id>  whose lists (repeatable)');
  });

  it('refuses unknown options and positionals in one line', () => {
    expect(usageError('--name', 'a', '--nope')).toMatch(/^Unknown option '--nope'/);
    expect(usageError('--name', 'a', 'extra')).not.toContain('\n');
  });
});

describe('helpText', () => {
  it('shows the usage, every option with its bounds, default and choices, and only its own exit codes', () => {
    const text = helpText(spec);
    expect(text.split('\n')[0]).toBe('usage: npm run thing -- --name <name>');
    expect(text).toContain('--name <name>    who (required)');
    expect(text).toContain('--max <n>        how many (1 to 10; default: 5)');
    expect(text).toContain('one of: red, blue');
    expect(text).toContain('-h, --help');
    expect(text.slice(text.indexOf('exit codes:'))).toBe(
      'exit codes:\n  0   done\n  2   a wrong option\n  130 interrupted',
    );
  });
});

describe('describeError', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it('says how to fix a missing region or missing credentials', () => {
    expect(describeError(new Error('Region is missing'))).toBe('no AWS region: set AWS_REGION or pass --region');
    expect(describeError(named('CredentialsProviderError', 'Could not load credentials from any providers'))).toMatch(
      /^no AWS credentials: set AWS_PROFILE, run `aws configure`.*AWS_ACCESS_KEY_ID/,
    );
  });

  it('prints its own errors as they are, anything else as name and first line of the message', () => {
    expect(describeError(new CliError('stack X does not exist in region eu-west-1'))).toBe(
      'stack X does not exist in region eu-west-1',
    );
    expect(describeError(named('AccessDeniedException', 'not allowed\n  at somewhere'))).toBe(
      'AccessDeniedException: not allowed',
    );
  });

  it('does not say "Error:" twice for a plain Error', () => {
    expect(describeError(new Error('getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com'))).toBe(
      'getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com',
    );
  });
});

describe('npm run deploy', () => {
  it('reads context pairs from -c, --context and --context= (a value may hold "=")', () => {
    expect(
      contextInArgs(['-c', 'a=1', '--context', 'b=x=y', '--context=c=3', '-c', 'd=', '--require-approval', 'never']),
    ).toEqual({ a: '1', b: 'x=y', c: '3', d: '' });
  });

  it('warns that alarms will notify no one unless alarmEmail or alarmTopic is set on the command line or in cdk.json', () => {
    expect(alarmsWarning([], {})).toMatch(/alarms will notify no one/);
    expect(alarmsWarning(['-c', 'alarmEmail='], {})).toMatch(/alarms will notify no one/);
    expect(alarmsWarning(['-c', 'alarmEmail=ops@example.com'], {})).toBeUndefined();
    expect(alarmsWarning(['--context=alarmTopic=arn:aws:sns:eu-west-1:1:ops'], {})).toBeUndefined();
    expect(alarmsWarning([], { alarmEmail: 'ops@example.com' })).toBeUndefined();
  });
});
