// Every test talks only to loopback: fake static credentials, no instance-metadata look-ups,
// and quiet Powertools output unless a test turns it on.
//
// The CDK's built-in CloudFormation validation (a WebAssembly engine: about 1.6 s of CPU to start
// in each test file and 0.5 s per synth, two thirds of what the CDK tests cost) is off for the
// tests' own synths, which assert what they look at. It runs where a synth is what `cdk synth`
// does: the CDK CLI's (test/infra/synth-cli.test.ts, test/infra/integ-snapshot.test.ts), the
// packed construct's in another repository (test/package), and the stack with every setting
// (`cloudFormationValidation` of test/helpers/synth.ts, test/infra/stack-options.test.ts).
Object.assign(process.env, {
  CDK_VALIDATION: 'false',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;
