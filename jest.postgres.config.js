/**
 * The suite again with every test app, test server and child server on PostgreSQL (LINSHENG_TEST_ENGINE=postgres,
 * test/helpers/test-database.ts). Left out: tests that never build the app on the test engine, so a second run
 * would repeat the first: the engine tests (*.engines / *.postgres run both engines already), SQLite's own
 * machinery (test/db, test/backup, the CLI's file handling), and pure rules (grouping, classifier accuracy, lib,
 * the code's structure).
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    '\\.engines\\.test\\.ts$',
    '\\.postgres\\.test\\.ts$',
    '<rootDir>/test/db/',
    '<rootDir>/test/backup/',
    '<rootDir>/test/cli/',
    '<rootDir>/test/grouping/',
    '<rootDir>/test/lib/',
    '<rootDir>/test/structure/',
    '<rootDir>/test/classify/accuracy',
  ],
};
