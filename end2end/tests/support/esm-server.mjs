// A test-only static server that lets a browser page import npm packages
// (Amplify JS) straight from end2end/node_modules, with no bundler: each
// JavaScript file it serves has its bare imports ('@aws-amplify/core',
// 'tslib', …) rewritten to URLs of the files they resolve to, resolved as
// a browser bundler would (the nearest node_modules, package.json "exports"
// with the browser, import and default conditions, else "module", else
// "main", and a package's "browser" map of its own files). It also passes
// `POST /` on to Cognate, so the page calls the Cognito API on its own
// origin. Served on http://localhost (a secure context for WebAuthn).
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = resolve(here, '..', '..', 'node_modules');
const CONDITIONS = ['browser', 'import', 'module', 'default'];

/** The target of an "exports" entry under our conditions. */
function pickCondition(entry) {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const t = pickCondition(e);
      if (t) return t;
    }
    return null;
  }
  if (entry && typeof entry === 'object') {
    for (const c of CONDITIONS) {
      if (c in entry) {
        const t = pickCondition(entry[c]);
        if (t) return t;
      }
    }
  }
  return null;
}

/** "exports" resolution of `sub` ('.' or './x'), wildcards included. */
function fromExports(exportsField, sub) {
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) {
    return sub === '.' ? pickCondition(exportsField) : null;
  }
  const keys = Object.keys(exportsField);
  if (!keys.some((k) => k.startsWith('.'))) return sub === '.' ? pickCondition(exportsField) : null;
  if (sub in exportsField) return pickCondition(exportsField[sub]);
  for (const key of keys) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const [pre, post] = [key.slice(0, star), key.slice(star + 1)];
    if (sub.startsWith(pre) && sub.endsWith(post) && sub.length >= pre.length + post.length) {
      const match = sub.slice(pre.length, sub.length - post.length);
      const target = pickCondition(exportsField[key]);
      if (target) return target.replaceAll('*', match);
    }
  }
  return null;
}

/** A file, trying the extensions and index files a bundler tries. */
function asFile(path) {
  for (const candidate of [path, `${path}.mjs`, `${path}.js`, join(path, 'index.mjs'), join(path, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The directory of package `name` as `from` sees it: the nearest node_modules up the tree. */
function packageRoot(name, from) {
  for (let dir = dirname(from); dir.startsWith(nodeModules); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return join(nodeModules, name);
}

/** The file a bare specifier names, imported from the file `from`. */
export function resolveBare(specifier, from = join(nodeModules, 'x')) {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const sub = specifier.slice(name.length);
  const root = packageRoot(name, from);
  if (!existsSync(join(root, 'package.json'))) return null;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (pkg.exports) {
    const target = fromExports(pkg.exports, sub ? `.${sub}` : '.');
    if (target) return asFile(join(root, target));
  }
  if (sub) return asFile(join(root, sub));
  const browserMain = typeof pkg.browser === 'string' ? pkg.browser : null;
  return asFile(join(root, pkg.module || browserMain || pkg.main || 'index.js'));
}

/** The package a file belongs to: its root and package.json. */
function packageOf(file) {
  for (let dir = dirname(file); dir.startsWith(nodeModules + sep); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      if (pkg.name) return { root: dir, pkg };
    }
  }
  return null;
}

/** A file swapped for its browser version by its package's "browser" map. */
function browserVersion(file) {
  const owner = file && packageOf(file);
  const map = owner?.pkg.browser;
  if (!map || typeof map !== 'object') return file;
  const rel = `./${relative(owner.root, file).split(sep).join('/')}`;
  for (const key of [rel, rel.replace(/\.m?js$/, '')]) {
    if (typeof map[key] === 'string') return asFile(join(owner.root, map[key])) || file;
  }
  return file;
}

const IMPORT = /(\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?|\bexport\s*(?:[\w*{}\s,$]+\s*from\s*)|\bimport\s*\()\s*(['"])([^'"]+)\2/g;

/** The URL of a file under node_modules. */
const urlOf = (file) => `/node_modules/${relative(nodeModules, file).split(sep).join('/')}`;

/**
 * A served file's source with its imports turned into URLs: bare ones
 * resolved as above, relative ones without an extension (rxjs's) given
 * theirs.
 */
export function rewrite(source, file) {
  return source.replace(IMPORT, (all, head, quote, specifier) => {
    if (/^[a-z]+:/.test(specifier)) return all;
    const target = browserVersion(
      specifier.startsWith('.') ? asFile(resolve(dirname(file), specifier)) : resolveBare(specifier, file),
    );
    // What does not resolve is left as it is (such text is in comments).
    return target ? `${head}${quote}${urlOf(target)}${quote}` : all;
  });
}

/**
 * Starts the server; `pages` maps a path to an HTML document, `cognate` is
 * Cognate's URL (POST / goes there). Resolves with { base, close }.
 */
export function startEsmServer({ pages, cognate }) {
  const http = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    try {
      if (req.method === 'POST' && url.pathname === '/') {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const headers = {};
        for (const h of ['content-type', 'x-amz-target', 'x-amz-user-agent']) {
          if (req.headers[h]) headers[h] = req.headers[h];
        }
        const upstream = await fetch(`${cognate}/`, { method: 'POST', headers, body: Buffer.concat(chunks) });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') || 'application/json' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
        return;
      }
      if (url.pathname in pages) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(pages[url.pathname]);
        return;
      }
      if (url.pathname.startsWith('/node_modules/')) {
        const file = resolve(nodeModules, `.${url.pathname.slice('/node_modules'.length)}`);
        if (!file.startsWith(nodeModules + sep) || !existsSync(file)) throw Object.assign(new Error('not found'), { status: 404 });
        const source = readFileSync(file, 'utf8');
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        res.end(rewrite(source, file));
        return;
      }
      res.writeHead(404).end();
    } catch (e) {
      res.writeHead(e.status || 500, { 'content-type': 'text/plain' }).end(String(e.stack || e));
    }
  });
  return new Promise((ok) => {
    http.listen(0, '127.0.0.1', () => {
      ok({ base: `http://localhost:${http.address().port}`, close: () => new Promise((r) => http.close(r)) });
    });
  });
}
