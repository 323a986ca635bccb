// Linli public dashboard: what the page can say about the history beyond the hash chain
// (issue #15). Loaded after the page (index.html imports it on `load`), so it is not part
// of the first load, whose WebAssembly budget has no room for it. Everything is shown as
// text (textContent), never as HTML.
//
// - The newest head (sequence and SHA-256) this device verified is kept in localStorage,
//   one key per page path; a later visit that shows an older head (rollback) or another
//   history (fork: same sequence, other hash, or a newer head whose history index has
//   another hash at the sequence seen) is warned about. `#head=<seq>-<sha256>` in the
//   address (the printed notice's QR code) is compared the same way.
// - The signed checkpoint (`checkpoint`, C2SP tlog-checkpoint) is checked by hash: it must
//   name this snapshot's sequence and hash. The publishing key's fingerprint (SHA-256 of
//   the public key, first 16 bytes) is shown to compare with the printed notice, and the
//   witnesses' cosignature lines with their dates. The publisher's Ed25519 signature is
//   verified with the browser's own WebCrypto (no code in the page's budget); a bad
//   signature is a warning, a browser without Ed25519 says the signature was not checked
//   here. The key's fingerprint is remembered like the head: another key later is warned
//   about (a host that swapped key and re-signed). Witness cosignatures are listed, not
//   verified (the page does not know the witnesses' keys): `linli verify --witness` does.
// - A snapshot served by sw.js from its cache carries `x-linli-saved`: "offline copy of
//   DATE".
const T = {
  offline: ['离线副本，保存于', 'Offline copy of'],
  rollback: ['⚠ 回退：本页数据比', '⚠ Rollback: this is older than'],
  rollback2: [' 更旧，可能是被替换的旧版本。', '; an old copy may be being served.'],
  fork: ['⚠ 分叉：本页的公示历史与', '⚠ Fork: this history differs from'],
  fork2: [' 不一致，历史可能被改写。', '; the history may have been rewritten.'],
  seen: ['本设备此前核验过的', 'the one this device verified before,'],
  notice: ['公示栏二维码上的', "the printed notice's"],
  unsigned: ['本期公示未签名。', 'This publication is not signed.'],
  mismatch: ['⚠ 签名检查点与本期数据不符。', '⚠ The signed checkpoint does not name this snapshot.'],
  signed: ['已签名；密钥指纹：', 'Signed; key fingerprint:'],
  signed2: ['（签名已核验；请与公示栏上的指纹核对）', ' (signature checked; compare with the printed notice)'],
  witness: ['见证方副署：', 'Witness cosignature:'],
  badsig: ['⚠ 签名无效：检查点的签名与发布密钥不符，本期数据可能被篡改。', '⚠ Invalid signature: the checkpoint is not signed by the publishing key; the data may have been altered.'],
  nocheck: ['（本浏览器无法核验签名）', ' (this browser cannot check the signature)'],
  keychange: ['⚠ 发布密钥已变更：与本设备此前见到的指纹', '⚠ The publishing key changed: this device saw fingerprint'],
  keychange2: [' 不同，请与公示栏核对。', ' before; compare with the printed notice.'],
};

const text = async (path) => {
  try {
    const r = await fetch(path);
    return r.ok ? { body: await r.text(), saved: r.headers.get('x-linli-saved') } : null;
  } catch (e) {
    return null;
  }
};
const parseHead = (v) => {
  const m = /^(\d+)-([0-9a-fA-F]{64})$/.exec(v || '');
  return m ? [Number(m[1]), m[2].toLowerCase()] : null;
};
// China Standard Time day of a time in ms.
const day = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10);
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const hexToB64 = (hex) => btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))));

function compare(seen, head, index) {
  if (head[0] < seen[0]) return 'rollback';
  if (head[0] === seen[0]) return head[1] === seen[1] ? null : 'fork';
  const e = index && index.snapshots.find((x) => x.sequence === seen[0]);
  return e && e.sha256 !== seen[1] ? 'fork' : null;
}

// The vkey's parts: name, key ID (4 bytes) and the Ed25519 public key (32 bytes).
// The base64 part may itself contain '+': split at the first two only.
function parseVkey(vkey) {
  const parts = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!parts) return null;
  let material;
  try { material = bytes(parts[3]); } catch (e) { return null; }
  parts.shift();
  if (material.length !== 33 || material[0] !== 1) return null;
  return { name: parts[0], id: parts[1], key: material.slice(1) };
}

// Whether the checkpoint carries a valid Ed25519 signature by `vkey` over its body:
// true, false, or null when this browser's WebCrypto has no Ed25519.
async function signatureValid(note, vkey) {
  const v = parseVkey(vkey);
  if (!v) return false;
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return false;
  const body = new TextEncoder().encode(note.slice(0, split + 1));
  let key;
  try {
    key = await crypto.subtle.importKey('raw', v.key, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    return null;
  }
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== v.name) continue;
    let b;
    try { b = bytes(m[2]); } catch (e) { continue; }
    const id = Array.from(b.slice(0, 4), (x) => x.toString(16).padStart(2, '0')).join('');
    if (b.length !== 68 || id !== v.id) continue;
    if (await crypto.subtle.verify({ name: 'Ed25519' }, key, b.slice(4), body)) return true;
  }
  return false;
}

async function fingerprint(vkey) {
  const v = parseVkey(vkey);
  if (!v) return '?';
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', v.key));
  const hex = Array.from(d.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return hex.match(/.{4}/g).join(' ');
}

// The checkpoint's facts: whether it names `head`, and the cosignature lines.
function readCheckpoint(note, head) {
  const split = note.lastIndexOf('\n\n');
  const lines = note.slice(0, split).split('\n');
  const sigs = note.slice(split + 2).split('\n').filter(Boolean);
  const origin = lines[0];
  const matches = lines.length === 3 && lines[1] === String(head[0]) && lines[2] === hexToB64(head[1]);
  const cosigners = [];
  for (const s of sigs) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(s);
    if (!m || m[1] === origin) continue;
    const b = bytes(m[2]);
    // Key ID (4), timestamp (8, big-endian seconds), Ed25519 signature (64).
    if (b.length !== 76) continue;
    let t = 0;
    for (let i = 4; i < 12; i++) t = t * 256 + b[i];
    cosigners.push([m[1], t * 1000]);
  }
  return { matches, cosigners };
}

async function check(main) {
  const head = parseHead(main.dataset.head);
  if (!head) return null;
  const index = await text('snapshots/index.json').then((r) => (r ? JSON.parse(r.body) : null)).catch(() => null);
  const out = { warnings: [] };
  const key = 'linli-head:' + location.pathname;
  let store = null;
  try { store = localStorage; } catch (e) { /* storage disabled */ }
  const remembered = parseHead(store && store.getItem(key));
  const r = remembered && compare(remembered, head, index);
  if (r) out.warnings.push([r, 'seen', remembered[0]]);
  if (location.hash.startsWith('#head=')) {
    const printed = parseHead(decodeURIComponent(location.hash.slice(6)));
    const n = printed && compare(printed, head, index);
    if (n) out.warnings.push([n, 'notice', printed[0]]);
  }
  if (store && main.dataset.verified === '1' && !r) store.setItem(key, main.dataset.head);
  const snap = await text('snapshot.json');
  if (snap && snap.saved) out.offline = day(Number(snap.saved));
  const cp = await text('checkpoint');
  if (cp) {
    try {
      out.signature = readCheckpoint(cp.body, head);
      const vkey = await text('publishing-key.vkey');
      out.signature.fingerprint = vkey ? await fingerprint(vkey.body) : '?';
      out.signature.valid = vkey ? await signatureValid(cp.body, vkey.body) : false;
      const fkey = 'linli-key:' + location.pathname;
      const seenKey = store && store.getItem(fkey);
      if (seenKey && seenKey !== out.signature.fingerprint) out.keyChanged = seenKey;
      else if (store && out.signature.valid && out.signature.matches && !r) store.setItem(fkey, out.signature.fingerprint);
    } catch (e) {
      out.signature = { matches: false, cosigners: [] };
    }
  }
  return out;
}

function render(list, facts) {
  const l = document.documentElement.lang === 'en' ? 1 : 0;
  const lines = [];
  if (facts.offline) lines.push(['offline', `${T.offline[l]} ${facts.offline}`]);
  for (const [kind, what, seq] of facts.warnings) {
    lines.push(['warning', `${T[kind][l]} ${T[what][l]} #${seq}${T[kind + '2'][l]}`]);
  }
  if (facts.keyChanged) lines.push(['warning', `${T.keychange[l]} ${facts.keyChanged}${T.keychange2[l]}`]);
  const s = facts.signature;
  if (!s) lines.push(['signature', T.unsigned[l]]);
  else if (!s.matches) lines.push(['warning', T.mismatch[l]]);
  else if (s.valid === false) lines.push(['warning', T.badsig[l]]);
  else {
    lines.push(['signature', `${T.signed[l]} ${s.fingerprint}${s.valid === null ? T.nocheck[l] : T.signed2[l]}`]);
    for (const [name, ms] of s.cosigners) lines.push(['witness', `${T.witness[l]} ${name} · ${day(ms)}`]);
  }
  list.replaceChildren(...lines.map(([kind, t]) => {
    const li = document.createElement('li');
    li.className = kind;
    li.dataset.testid = kind;
    li.textContent = t;
    return li;
  }));
  list.dataset.testid = 'trust';
}

// Waits for the page to have verified its snapshot (`data-head` on #main).
const started = Date.now();
(function wait() {
  const main = document.getElementById('main');
  if (!main || !main.dataset.head) {
    if (Date.now() - started < 120e3) setTimeout(wait, 200);
    return;
  }
  check(main).then((facts) => {
    if (!facts) return;
    // After the page's <main> (which the page's code manages), in the same column.
    // A live region around the list, not on it: `role=status` on the <ul> itself would
    // take away its list role, leaving its items outside any list (axe: listitem).
    const region = document.createElement('div');
    region.setAttribute('role', 'status');
    const list = document.createElement('ul');
    list.id = 'trust';
    list.className = 'trust small';
    region.append(list);
    main.after(region);
    render(list, facts);
    // Again in the other language when the page switches.
    new MutationObserver(() => render(list, facts))
      .observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  });
})();
