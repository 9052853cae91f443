import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cnai-model-platform',
  description:
    'Typed cdk8s constructs (and a Pulumi entry point) for a cloud native AI model platform: Harbor model registry, llama.cpp inference with a content-addressed model cache, Velero + Kopia backup and SeaweedFS S3 storage.',
  author: 'cnai-model-platform maintainers',
  authorAddress: 'maintainers@users.noreply.cnai-model-platform.example',
  repositoryUrl: 'https://github.com/cnai-model-platform/cnai-model-platform.git',
  keywords: ['cdk8s', 'pulumi', 'kubernetes', 'harbor', 'llama.cpp', 'velero', 'seaweedfs', 'oci', 'modelpack'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.16.0',

  // Versions known to work together on Node 20 + npm 11. cdk8s 2.70.7: the oldest 2.70 release that PyPI, Maven Central
  // and the Go module proxy all serve (cdk8s-plus-30 2.4.10's Go module requires it as well).
  cdk8sVersion: '2.70.7',
  constructsVersion: '10.4.2',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  peerDeps: ['cdk8s-plus-30@^2.4.10'],
  bumpPackage: 'commit-and-tag-version@^12',

  devDeps: [
    // Validation of synthesized objects in tests.
    'kubernetes-models@4.5.1',
    '@kubernetes-models/validate@^4',
    'ajv@^8',
    'yaml@^2',
    'fast-check@^4',
    // The examples and the bench import the library by its package name, mapped to src/ (tsconfig paths).
    'tsconfig-paths@^4',
    // Pulumi entry point (src/pulumi): devDependencies only, jsii rejects non-jsii runtime deps.
    '@pulumi/pulumi@3.248.0',
    '@pulumi/kubernetes@^4.18.0',
  ],

  // jsii languages, named as cdk8s names its own packages (cdk8s / cdk8s-plus-30 on PyPI, org.cdk8s on Maven).
  publishToPypi: { distName: 'cnai-model-platform', module: 'cnai_model_platform' },
  publishToMaven: { javaPackage: 'io.github.cnai_model_platform', mavenGroupId: 'io.github.cnai-model-platform', mavenArtifactId: 'cnai-model-platform' },
  publishToGo: { moduleName: 'github.com/cnai-model-platform/cnai-model-platform-go', packageName: 'cnaimodelplatform' },
  publishToNuget: { dotNetNamespace: 'CnaiModelPlatform', packageId: 'CnaiModelPlatform' },

  // No hosted CI here: .ci/run runs the README's test command.
  github: false,
  // jsii-pacmak writes packages here so that `dist/` holds only synthesized manifests.
  artifactsDirectory: 'dist-packages',

  // The Pulumi adapter is compiled by plain tsc below; jsii never sees it.
  excludeTypescript: ['src/pulumi/**'],

  jestOptions: {
    // A changed snapshot must fail the run, never be rewritten by it.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/lib/', '/dist/'],
      // src/pulumi imports the library by its package name (compiled after jsii, no `../` imports).
      // Tests load both names from src/, so `cnai-model-platform` and `../src` are ONE module copy
      // (the library's instanceof checks depend on that).
      moduleNameMapper: {
        '^cnai-model-platform$': '<rootDir>/src/index.ts',
        '^cnai-model-platform/pulumi$': '<rootDir>/src/pulumi/index.ts',
      },
      // An `npm install` in examples/pulumi must not add a second copy of the repo (and of the Pulumi SDK) to jest's module map.
      modulePathIgnorePatterns: ['<rootDir>/examples/pulumi/node_modules/'],
    },
  },
  gitignore: ['/dist-packages/', '/.jsii.tabl.json', '/examples/dist/', '/examples/pulumi/node_modules/', '/examples/java/target/'],
});

// jsii 6 prints an end-of-life banner on Node 20 for every command.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// Java: Maven Central as reached here does not serve org.cdk8s:cdk8s-plus-30 (a peer dependency), so its jar
// is built once with jsii-pacmak from node_modules/cdk8s-plus-30 into ~/.cache (java-deps.sh) and added
// to the build as a Maven repository (maven-settings.xml, passed as global settings: pacmak passes its
// own user settings). The published pom is unchanged: it still names org.cdk8s:cdk8s-plus-30 from Central.
// Maven's downloads are kept in the same cache instead of a new temporary repository per run.
project.tasks.tryFind('package:java')?.reset('build-tools/language-smoke/java-deps.sh');
project.tasks.tryFind('package:java')?.exec(
  'jsii-pacmak -v --target java --maven-local-repository=$HOME/.cache/cnai-model-platform/languages/java/m2 ' +
  '--mvn-global-settings=$(pwd)/build-tools/language-smoke/maven-settings.xml',
);

// Scripts that run in containers (.sh, .py) are read from next to their module at synth time; ship them in lib/.
project.compileTask.exec('node build-tools/copy-container-scripts.js');

// Pulumi entry point: compiled after jsii into lib/pulumi, exported as `cnai-model-platform/pulumi`.
project.compileTask.exec('tsc -p src/pulumi/tsconfig.json');
project.eslint?.allowDevDeps('src/pulumi/**');
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './pulumi': { types: './lib/pulumi/index.d.ts', default: './lib/pulumi/index.js' },
  './package.json': './package.json',
  './.jsii': './.jsii',
});
project.package.addField('typesVersions', { '*': { pulumi: ['lib/pulumi/index.d.ts'] } });
// src/pulumi, the tests and examples/pulumi import the package by its own name. That resolves to lib/
// only after a compile (and from examples/pulumi only after its own `npm install`), so lint must not
// depend on it: accept the two names unresolved and always sort them as internal imports.
project.eslint?.addOverride({
  files: ['src/pulumi/**', 'test/**', 'examples/**', 'bench/**'],
  rules: { 'import/no-unresolved': ['error', { ignore: ['^cnai-model-platform(/pulumi)?$'] }] },
});
project.eslint?.file.addOverride('settings.import/internal-regex', '^cnai-model-platform(/|$)');

// The main job: synthesize the example platform into dist/.
project.addTask('synth', {
  description: 'Synthesize the example platform (examples/main.ts) into dist/',
  env: { TS_NODE_PROJECT: 'examples/tsconfig.json' },
  exec: 'ts-node -r tsconfig-paths/register examples/main.ts',
});
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('bench');
project.eslint?.allowDevDeps('bench/**');
project.eslint?.addLintPattern('e2e');
project.addTask('bench:e2e', {
  description: 'End-to-end benchmark: the platform scripts with the real oras, registry and busybox beside the raw operations (needs npm run e2e:tools)',
  env: { TS_NODE_PROJECT: 'e2e/tsconfig.json' },
  exec: 'ts-node -r tsconfig-paths/register e2e/bench.ts',
});
project.eslint?.allowDevDeps('e2e/**');

// Benchmarks print figures; they are not timed tests.
project.addTask('bench:cache', {
  description: 'Model cache: hit time for 0.5/5/70 GB models and bytes fetched on update/rollback',
  exec: 'ts-node --project bench/tsconfig.json bench/model-cache-bench.ts',
});
project.addTask('bench:synth', {
  description: 'Synth speed: the full demo vs the same objects as raw ApiObjects, and 1/10/100 inference services',
  env: { TS_NODE_PROJECT: 'bench/tsconfig.json' },
  exec: 'ts-node -r tsconfig-paths/register bench/synth-bench.ts',
});
// 'dist-packages' spelled as jsii-pacmak looks for it, else pacmak appends it to .npmignore on every package run.
project.npmignore?.addPatterns('/examples/', '/bench/', '/.ci/', 'dist-packages', '/build-tools/', '/e2e/');

// End-to-end tier (in progress): the pinned upstream programs, built once into ~/.cache.
project.addTask('e2e:tools', {
  description: 'Build the pinned upstream programs and the test model of the end-to-end tier (oras, registry, kopia, llama-server, SmolLM2, weed 4.53 for SeaweedFS, boto3, etcd, kube-apiserver, kube-controller-manager, kubectl, velero, velero-plugin-for-aws) into ~/.cache/cnai-model-platform/e2e',
  exec: 'e2e/install-tools.sh',
});
project.addTask('test:e2e', {
  description: 'End-to-end tier (storage, model import, model cache, serving, disaster recovery with kopia, control plane with Velero): real upstream programs on 127.0.0.1; builds them first (npm run e2e:tools)',
  steps: [
    { spawn: 'e2e:tools' },
    // One file at a time: SeaweedFS 4.53's S3 gateway binds fixed ports (8181, 9101) besides its own.
    { exec: "jest --rootDir . --testMatch '<rootDir>/e2e/**/*.test.ts' --coverage=false --ci --runInBand" },
  ],
});
project.eslint?.allowDevDeps('examples/**');

// jsii languages. No .NET SDK can be installed on our build machines: package:dotnet stays for those who
// have one, and package-all builds the languages that are built and tested here.
const packageAll = project.tasks.tryFind('package-all')!;
packageAll.reset();
for (const language of ['js', 'java', 'python', 'go']) packageAll.spawn(project.tasks.tryFind(`package:${language}`)!);
// API reference for Python users beside API.md (TypeScript).
project.tasks.tryFind('docgen')?.exec('jsii-docgen -l python -o docs/api-python.md');
project.addTask('test:languages', {
  description: 'The demo platform from the Python, Java and Go packages (examples/python, examples/java, examples/go) must be byte-identical to npm run synth; builds the packages first',
  steps: [
    { spawn: 'compile' },
    { spawn: 'package-all' },
    { exec: 'build-tools/language-smoke/run.sh' },
  ],
});

project.synth();
