#!/usr/bin/env node
// `npm run build:cuda`: builds the optional CUDA addon (out/Release/neurec_cuda.node) with
// cmake-js from CMakeLists.txt. Needs nvcc (CUDA 12+) and CMake; no GPU is needed to build.
// Fails loudly, naming what is missing; the CPU addon from `npm ci` is never touched.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
}

function findNvcc() {
  if (process.env.CUDACXX && fs.existsSync(process.env.CUDACXX)) return process.env.CUDACXX;
  const found = onPath('nvcc');
  if (found) return found;
  for (const dir of [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'])
    if (dir && fs.existsSync(path.join(dir, 'bin', 'nvcc'))) return path.join(dir, 'bin', 'nvcc');
  return '';
}

function fail(msg) {
  console.error(`build:cuda: ${msg}`);
  process.exit(1);
}

const nvcc = findNvcc();
if (!nvcc) fail('nvcc was not found (PATH, CUDACXX, CUDA_HOME, /usr/local/cuda). Install the CUDA toolkit; the CPU addon works without it.');
if (!onPath('cmake')) fail('cmake was not found on PATH (apt-get install cmake).');

const jobs = String(Math.max(1, Math.min(os.cpus().length, Number(process.env.NEUREC_BUILD_JOBS) || os.cpus().length)));
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'build', '--directory', root, '--out', 'build-cuda', '--parallel', jobs];
if (process.env.NEUREC_CUDA_ARCH) args.push(`--CDCMAKE_CUDA_ARCHITECTURES=${process.env.NEUREC_CUDA_ARCH}`);
console.log(`build:cuda: nvcc ${nvcc}, ${jobs} jobs`);
const started = Date.now();
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, CUDACXX: nvcc } });
if (r.status !== 0) fail(`cmake-js exited with ${r.status ?? r.signal}; see the compiler output above.`);
const addon = path.join(root, 'out', 'Release', 'neurec_cuda.node');
if (!fs.existsSync(addon)) fail(`the build finished but ${addon} is missing`);
// Node loads addons lazily, so an undefined symbol of our own (a helper compiled into the CPU
// addon only) would only fail on a GPU at its first call; refuse such an addon here instead.
const nm = spawnSync('nm', ['-C', '--undefined-only', addon], { encoding: 'utf8' });
if (nm.status === 0) {
  const missing = nm.stdout.split('\n').filter((l) => /\bneurec::/.test(l)).map((l) => l.trim());
  if (missing.length) fail(`${path.relative(root, addon)} leaves neurec symbols undefined (add their source to CMakeLists.txt):\n  ${missing.join('\n  ')}`);
}
console.log(`build:cuda: ${path.relative(root, addon)} built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
