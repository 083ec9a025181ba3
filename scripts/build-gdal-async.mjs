#!/usr/bin/env node
// Builds gdal-async (the native half of @pyramids/readers-gdal) from source against
// the system GDAL, so every GDAL driver Debian ships (ZSTD, JP2OpenJPEG, netCDF, GRIB,
// HDF5, Zarr) is available. Run by the root `postinstall`, so a plain `pnpm install` does it.
//
// Why not pnpm's own build of gdal-async: since pnpm 11 lifecycle scripts no longer see
// npm_config_* settings from .npmrc, so `build_from_source` / `shared_gdal` / `nodedir`
// cannot be configured in the repo; gdal-async's own install script would try to
// download a prebuilt binary (bundled GDAL without ZSTD) and node headers instead.
// gdal-async is therefore listed as `false` under `allowBuilds:` and built here.
//
// Idempotent: skips when the binding was already built against the installed GDAL.
// Without GDAL (no `gdal-config`) it prints how to install it and exits 0, so the rest
// of the workspace installs; importing @pyramids/readers-gdal then throws a typed error.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => process.stdout.write(`build-gdal-async: ${message}\n`);

function findGdalAsync() {
  try {
    const require = createRequire(path.join(root, 'packages/readers-gdal/package.json'));
    return path.dirname(require.resolve('gdal-async/package.json'));
  } catch {
    return undefined;
  }
}

function systemGdalVersion() {
  try {
    return execFileSync('gdal-config', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** A Node prefix that holds the headers node-gyp needs, so it never downloads them. */
function findNodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    path.resolve(path.dirname(process.execPath), '..'),
  ];
  return candidates.find(
    (dir) => dir && existsSync(path.join(dir, 'include', 'node', 'node_api.h')),
  );
}

const packageDir = findGdalAsync();
if (!packageDir) {
  log('gdal-async is not installed in this workspace; nothing to build');
  process.exit(0);
}
const gdalVersion = systemGdalVersion();
if (!gdalVersion) {
  log('GDAL not found (no gdal-config on PATH): skipping the gdal-async build.');
  log(
    '@pyramids/readers-gdal needs it: run `bash scripts/install-gdal.sh`, then `pnpm install` again.',
  );
  process.exit(0);
}

const stampPath = path.join(packageDir, 'lib', 'binding', 'pyramids-shared-gdal.txt');
const bindingDir = path.join(packageDir, 'lib', 'binding');
const stamp = `${gdalVersion} node-abi-${process.versions.modules}`;
function alreadyBuilt() {
  const hasBinding =
    existsSync(bindingDir) &&
    readdirSync(bindingDir).some((entry) => existsSync(path.join(bindingDir, entry, 'gdal.node')));
  return hasBinding && existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp;
}

// One build at a time per installed copy: two concurrent `pnpm install`s in one tree would
// otherwise compile into the same folder and break each other. The lock is a directory
// (mkdir is atomic) holding the builder's pid, so a lock left by a killed build is taken over.
const lockDir = path.join(packageDir, '.pyramids-build-lock');
function lockHolderAlive() {
  try {
    process.kill(Number(readFileSync(path.join(lockDir, 'pid'), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}
for (let waited = 0; ; waited += 2) {
  try {
    mkdirSync(lockDir);
    writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
    break;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    if (!lockHolderAlive() && waited >= 2) rmSync(lockDir, { recursive: true, force: true });
    else if (waited === 0) log('another gdal-async build is running here; waiting for it');
    if (waited > 900) {
      log(`still locked after 15 minutes; remove ${lockDir} if no build is running`);
      process.exit(1);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
  }
}
process.on('exit', () => rmSync(lockDir, { recursive: true, force: true }));

if (alreadyBuilt()) {
  log(`gdal-async already built against the system GDAL ${gdalVersion}; nothing to do`);
  process.exit(0);
}

const packageRequire = createRequire(path.join(packageDir, 'package.json'));
const nodePreGyp = path.join(
  path.dirname(packageRequire.resolve('@mapbox/node-pre-gyp/package.json')),
  'bin',
  'node-pre-gyp',
);
const nodeDir = findNodeDir();
log(`building gdal-async from source against the system GDAL ${gdalVersion} (takes a few minutes)`);
log(
  nodeDir
    ? `using the Node headers in ${nodeDir}/include/node`
    : 'no local Node headers found: node-gyp will download them',
);
const result = spawnSync(
  process.execPath,
  [
    nodePreGyp,
    'install',
    '--build-from-source',
    '--shared_gdal',
    '-j',
    'max',
    ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
  ],
  {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_build_from_source: 'true',
      npm_config_shared_gdal: 'true',
      ...(nodeDir ? { npm_config_nodedir: nodeDir } : {}),
    },
  },
);
if (result.status !== 0) {
  process.stderr.write(
    `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n').slice(-60).join('\n'),
  );
  log(
    `building gdal-async failed (exit ${result.status}); the log's end is above. Is a C++ compiler (build-essential) installed?`,
  );
  process.exit(1);
}
// Prove the binding loads and links the system library, not a bundled one.
const check = spawnSync(
  process.execPath,
  ['-e', "process.stdout.write(require('gdal-async').version)"],
  { cwd: packageDir, encoding: 'utf8' },
);
if (check.status !== 0 || check.stdout.trim() !== gdalVersion) {
  process.stderr.write(check.stderr ?? '');
  log(
    `the built gdal-async reports GDAL ${check.stdout.trim() || '(failed to load)'}, expected ${gdalVersion}`,
  );
  process.exit(1);
}
writeFileSync(stampPath, `${stamp}\n`);
log(`built gdal-async against the system GDAL ${gdalVersion}`);
