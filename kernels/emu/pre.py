#!/usr/bin/env python3
"""Rewrites CUDA sources into C++ for the emulator's shim (include/cuda_runtime.h).

  pre.py OUT_DIR FILE...   writes OUT_DIR/<name>.cc for a .cu, OUT_DIR/<name> for a header

  - kernel<<<grid, block[, smem[, stream]]>>>(args)
        -> ::emu::launch("file:line", grid, block, smem, [&] { kernel(args); })
  - every __global__ body starts with ::emu::kernel_entry(name, its __launch_bounds__)
  - after each `__shared__ T a[...];`: ::emu::shared_decl(&a, sizeof(a)) (poison, 48 KB check)
  - extern __shared__ T a[];  ->  T* a = static_cast<T*>(::emu::dynamic_smem());
Line numbers are kept (#line and no added line breaks), so errors point at the .cu file.
"""
import os
import re
import sys


def blank_comments(s):
    """s with comments and string/char literal contents replaced by spaces (same offsets)."""
    out, i, n = list(s), 0, len(s)
    while i < n:
        if s.startswith('//', i):
            j = s.find('\n', i)
            j = n if j < 0 else j
        elif s.startswith('/*', i):
            j = s.find('*/', i) + 2
        elif s[i] in '"\'':
            j = i + 1
            while s[j] != s[i]:
                j += 2 if s[j] == '\\' else 1
            i, j = i + 1, j  # blank the contents, keep the quotes
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != '\n':
                out[k] = ' '
        i = j + (s[j:j + 1] in ('"', "'"))
    return ''.join(out)


def match(code, i, open_, close):
    """Index of the bracket closing the one at code[i]."""
    d = 0
    for j in range(i, len(code)):
        if code[j] == open_:
            d += 1
        elif code[j] == close:
            d -= 1
            if d == 0:
                return j
    raise ValueError('unbalanced %s at %d' % (open_, i))


def split_top(s):
    parts, d, cur = [], 0, ''
    for ch in s:
        d += ch in '([{<'
        d -= ch in ')]}>'
        if ch == ',' and d == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += ch
    return parts + [cur.strip()]


def line_breaks(s):
    """The line breaks of s (a backslash-newline inside a macro stays one)."""
    return ''.join('\\\n' if m.group(1) else '\n' for m in re.finditer(r'(\\?)\n', s))


def launches(src, code, rel, edits):
    for m in re.finditer(r'<<<', code):
        k = m.start()
        b = k
        if code[b - 1] == '>':  # template arguments of the kernel name
            d = 0
            while True:
                b -= 1
                d += code[b] == '>'
                d -= code[b] == '<'
                if d == 0:
                    break
        while b > 0 and (code[b - 1].isalnum() or code[b - 1] in '_:'):
            b -= 1
        c = code.index('>>>', k)
        cfg = split_top(code[k + 3:c])
        p0 = code.index('(', c)
        p1 = match(code, p0, '(', ')')
        smem = cfg[2] if len(cfg) > 2 else '0'
        line = src.count('\n', 0, k) + 1
        rep = '::emu::launch("%s:%d", %s, %s, %s, [&] { %s(%s); })' % (
            rel, line, cfg[0], cfg[1], smem, src[b:k], ' '.join(src[p0 + 1:p1].split()))
        edits.append((b, p1 + 1, rep + line_breaks(src[b:p1 + 1])))


def kernels(code, edits):
    for m in re.finditer(r'\b__global__\b', code):
        i, bound = m.end(), '1024'
        while True:  # over `void`, `__launch_bounds__(...)`, to the name and its parameters
            t = re.compile(r'\s*([A-Za-z_]\w*)\s*(\(?)').match(code, i)
            if t.group(1) == '__launch_bounds__':
                p1 = match(code, t.end() - 1, '(', ')')
                bound = split_top(code[t.end():p1])[0]
                i = p1 + 1
            elif t.group(2):
                i = match(code, t.end() - 1, '(', ')') + 1
                break
            else:
                i = t.end()
        j = re.compile(r'[^;{]*').match(code, i).end()
        if code[j] == '{':
            edits.append((j + 1, j + 1, ' ::emu::kernel_entry(__PRETTY_FUNCTION__, (%s));' % bound))


def shared(src, code, edits):
    for m in re.finditer(r'\b(extern\s+)?__shared__\b', code):
        if code[max(0, m.start() - 20):m.start()].rstrip().endswith('define'):
            continue
        end = code.index(';', m.end())
        decl = re.sub(r'__align__\s*\([^)]*\)', '', code[m.end():end]).strip()
        name = re.findall(r'[A-Za-z_]\w*', decl.split('[')[0])[-1]
        if m.group(1):  # dynamic shared memory
            ty = decl.split('[')[0].rsplit(name, 1)[0].strip()
            edits.append((m.start(), end + 1, '%s* %s = static_cast<%s*>(::emu::dynamic_smem());' % (ty, name, ty)))
        else:
            edits.append((end + 1, end + 1, ' ::emu::shared_decl(&%s, sizeof(%s));' % (name, name)))


def convert(path, out_dir):
    src = open(path).read()
    code = blank_comments(src)
    rel = os.path.relpath(path)
    edits = []
    launches(src, code, os.path.basename(path), edits)
    kernels(code, edits)
    shared(src, code, edits)
    for a, b, rep in sorted(edits, reverse=True):
        src = src[:a] + rep + src[b:]
    name = os.path.basename(path)
    out = os.path.join(out_dir, name[:-3] + '.cc' if name.endswith('.cu') else name)
    text = '#line 1 "%s"\n%s' % (rel, src)
    if not os.path.exists(out) or open(out).read() != text:  # keep mtimes for make-like reuse
        open(out, 'w').write(text)


if __name__ == '__main__':
    for f in sys.argv[2:]:
        convert(f, sys.argv[1])
