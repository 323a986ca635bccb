// Published free text (issue #15, item 3) for tests that read or edit snapshot files: since
// layout 4 the text fields of the hashed `content` are empty, the texts travel beside it in
// `texts` with their salts, and `content.texts_sha256` seals them: SHA-256 over each entry,
// in the order of the paths, of path ‖ 0x00 ‖ commitment (hex) ‖ "\n", the commitment
// being SHA-256(salt ‖ path ‖ 0x00 ‖ text), or a redacted entry's own
// (domain/src/snapshot/file.rs, freetext.rs).
import { createHash } from 'node:crypto';

const commit = (salt, path, text) => createHash('sha256')
  .update(Buffer.concat([Buffer.from(salt, 'hex'), Buffer.from(path, 'utf8'), Buffer.from([0]), Buffer.from(text, 'utf8')]))
  .digest('hex');

// The root over a file's `texts`.
export function textsRoot(texts) {
  const h = createHash('sha256');
  for (const path of Object.keys(texts).sort()) {
    const e = texts[path];
    const c = e.redacted_on !== undefined ? e.commitment : commit(e.salt, path, e.text);
    h.update(Buffer.concat([Buffer.from(path, 'utf8'), Buffer.from([0]), Buffer.from(`${c}\n`, 'utf8')]));
  }
  return h.digest('hex');
}

// Arrays whose items a path names by a field (the others by index), as
// domain/src/snapshot/freetext.rs's `for_each_text` writes paths.
const KEYED = { plans: 'id', reserve_releases: 'decision', pb: 'decision', projects: 'proposal_id', spending: 'id', budget_changes: 'id' };

// The object holding the field named by `path` in content `c`, and the field's key.
function locate(c, path) {
  const segs = path.split('/');
  let o = c;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i];
    if (Array.isArray(o)) {
      const by = KEYED[segs[i - 1]];
      o = by ? o.find((x) => String(x[by]) === s) : o[Number(s)];
    } else {
      o = o[s];
    }
  }
  return [o, segs[segs.length - 1]];
}

// The content of a parsed snapshot file with its texts in place (a redacted one stays empty).
export function openTexts(doc) {
  const c = structuredClone(doc.content);
  for (const [path, e] of Object.entries(doc.texts ?? {})) {
    if (e.text !== undefined) {
      const [o, k] = locate(c, path);
      o[k] = e.text;
    }
  }
  return c;
}

// `text` (a snapshot file) with `edit` applied to its opened content, texts sealed again
// with their salts and the content hashed again: a forger's rewrite.
export function rehash(text, edit) {
  const doc = JSON.parse(text);
  const c = openTexts(doc);
  edit(c);
  const texts = { ...(doc.texts ?? {}) };
  for (const [path, e] of Object.entries(texts)) {
    if (e.salt === undefined) continue;
    const [o, k] = locate(c, path);
    texts[path] = { salt: e.salt, text: o[k] };
    o[k] = '';
  }
  if (doc.texts !== undefined) c.texts_sha256 = textsRoot(texts);
  const body = JSON.stringify(c);
  const sha = createHash('sha256').update(body).digest('hex');
  const tail = (doc.texts === undefined ? '' : `,"texts":${JSON.stringify(texts)}`)
    + (doc.requests === undefined ? '' : `,"requests":${JSON.stringify(doc.requests)}`);
  return `{"format":"linli-public-snapshot","version":${doc.version},"sha256":"${sha}","content":${body}${tail}}`;
}
