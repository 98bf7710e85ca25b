// The shape of the workspace, checked by `pnpm check` (dependency-cruiser): see README "Layout".
// Paths are relative to the directory depcruise runs in (the repository root, or a test fixture tree).
const programs = '(config-syncer|demo-app|log-forwarder|repo-updater|tls-proxy|topz)';
// The wiring of a program: these may read its option table and app.ts; every other module is domain.
const wiring = '/src/(main|definition|app|index|settings|build-parts|options|error-codes)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle, even type-only, says a layer is missing: find the interface between.',
      from: {
        // Cycles being removed on other branches (issue 13 §1); drop these once they have merged.
        pathNot: [
          '^packages/log-forwarder/src/(ack-ledger|record|tailer|read-chunk|emit-records|tailer-environment|file-tracker|resume|rotation-recovery)\\.ts$',
        ],
      },
      to: { circular: true },
    },
    {
      name: 'lifecycle-imports-no-program',
      severity: 'error',
      comment: 'lifecycle is what every program shares; it knows none of them.',
      from: { path: '^packages/lifecycle/' },
      to: { path: `^packages/${programs}/` },
    },
    {
      name: 'no-program-imports-another',
      severity: 'error',
      comment: 'Programs share code only through lifecycle (or test-helpers in tests).',
      from: { path: `^packages/${programs}/` },
      to: { path: '^packages/([^/]+)/', pathNot: ['^packages/$1/', '^packages/(lifecycle|test-helpers)/'] },
    },
    {
      name: 'domain-does-not-import-wiring',
      severity: 'error',
      comment:
        "A program's domain modules take settings as arguments; only its wiring reads the option table or app.ts.",
      from: { path: `^packages/${programs}/src/`, pathNot: wiring },
      to: { path: '^packages/$1/src/(options|app)\\.ts$' },
    },
    {
      name: 'tests-use-public-entries',
      severity: 'error',
      comment: 'A test reaches another package only through its public entry (its package.json exports).',
      from: { path: '^(packages/([^/]+)/test/|test/)' },
      to: {
        path: '^packages/[^/]+/',
        pathNot: ['^packages/$2/', '^packages/[^/]+/src/index\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The fixture trees break the rules on purpose: test/architecture.test.ts runs them one by one.
    exclude: { path: ['(^|/)(node_modules|dist)/', '^test/fixtures/architecture/'] },
    // Type-only imports count: a cycle through types is still a cycle.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
