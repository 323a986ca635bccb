// Published free text (issue #15, item 3) for tests that read or edit snapshot files: since
// layout 4 the hashed `content` holds each text's commitment, SHA-256(salt ‖ path ‖ 0x00 ‖
// text), and the texts travel beside it in `texts` (domain/src/snapshot/freetext.rs).
import { createHash } from 'node:crypto';

const commit = (salt, path, text) => createHash('sha256')
  .update(Buffer.concat([Buffer.from(salt, 'hex'), Buffer.from(path, 'utf8'), Buffer.from([0]), Buffer.from(text, 'utf8')]))
  .digest('hex');

// Every place in `content` holding a commitment of `texts`: [[keys…], path, salt].
function places(doc) {
  const byCommit = new Map();
  for (const [path, e] of Object.entries(doc.texts ?? {})) {
    if (e.salt !== undefined) byCommit.set(commit(e.salt, path, e.text), [path, e.salt]);
  }
  const out = [];
  const walk = (v, at) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    else if (typeof v === 'string' && byCommit.has(v)) out.push([at, ...byCommit.get(v)]);
  };
  walk(doc.content, []);
  return out;
}

const set = (o, at, v) => { at.slice(0, -1).reduce((x, k) => x[k], o)[at[at.length - 1]] = v; };
const get = (o, at) => at.reduce((x, k) => x[k], o);

// The content of a parsed snapshot file with its texts in place of their commitments
// (a redacted text stays its commitment).
export function openTexts(doc) {
  const c = structuredClone(doc.content);
  for (const [at, path] of places(doc)) set(c, at, doc.texts[path].text);
  return c;
}

// `text` (a snapshot file) with `edit` applied to its opened content, texts committed
// again with their salts and the content hashed again: a forger's rewrite.
export function rehash(text, edit) {
  const doc = JSON.parse(text);
  const spots = places(doc);
  const c = openTexts(doc);
  edit(c);
  const texts = { ...(doc.texts ?? {}) };
  for (const [at, path, salt] of spots) {
    const t = get(c, at);
    texts[path] = { salt, text: t };
    set(c, at, commit(salt, path, t));
  }
  const body = JSON.stringify(c);
  const sha = createHash('sha256').update(body).digest('hex');
  const tail = doc.texts === undefined ? '' : `,"texts":${JSON.stringify(texts)}`;
  return `{"format":"linli-public-snapshot","version":${doc.version},"sha256":"${sha}","content":${body}${tail}}`;
}
