/** Unit specs live beside the code (src/**\/*.spec.ts); end-to-end specs under test/. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: process.env.STRESS ? [] : ['/test/stress/'],
  testTimeout: 60000,
};
