// Every test talks only to loopback: fake static credentials, no instance-metadata look-ups,
// and quiet Powertools output unless a test turns it on.
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
delete process.env.AWS_PROFILE;
delete process.env.AWS_ENDPOINT_URL;
