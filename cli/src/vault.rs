//! Encrypted backups: the standard [age](https://age-encryption.org/v1) format, read and
//! written with the `age` crate (rage), so the reference `age` tool and `rage` open them.
//!
//! # Writing
//!
//! A backup is encrypted either to a passphrase (`--passphrase-file FILE`) or to one or
//! more X25519 recipients (`--recipient age1…`, e.g. the street office's key made with
//! `age-keygen`); age forbids mixing a passphrase with other recipients in one file, so
//! the two flags exclude each other. The output is binary age by default, ASCII armor
//! (`-----BEGIN AGE ENCRYPTED FILE-----`, PEM-like, safe for e-mail) with `--armor`.
//!
//! Parameters (all fixed by the age v1 format except the scrypt work factor):
//! * file key: 16 random bytes from the operating system, one per file;
//! * payload: ChaCha20-Poly1305 in 64 KiB chunks (STREAM construction), key from
//!   HKDF-SHA-256 over the file key and a 16-byte random nonce; the header is authenticated
//!   by HMAC-SHA-256 under a key derived from the file key;
//! * passphrase: scrypt with r = 8, p = 1, a 16-byte random salt and N = 2^18
//!   ([`SCRYPT_LOG_N`], the reference tool's fixed value: about 0.5–1 s and 256 MiB,
//!   above OWASP's minimum N = 2^17, r = 8, p = 1); decryption accepts at most N = 2^22
//!   ([`MAX_SCRYPT_LOG_N`], the reference tool's limit);
//! * X25519: ephemeral-static Diffie–Hellman, HKDF-SHA-256, ChaCha20-Poly1305 wrap.
//!
//! Files are written with mode 0600 into a temporary file in the target's folder
//! (created exclusively) and renamed over the target, so a reader never sees half a
//! backup and the file is never world-readable, not even for a moment.
//!
//! # Reading
//!
//! [`open_backup`] looks at the first bytes: `age-encryption.org/v1` (binary) or
//! `-----BEGIN AGE ENCRYPTED FILE-----` (armor) is an age file and is decrypted with
//! `--passphrase-file` or `--identity` (an age identity file, `AGE-SECRET-KEY-1…` lines);
//! anything else is taken as a legacy plain JSON backup, read with a warning on standard
//! error (it is neither encrypted nor authenticated) unless `--allow-plain` is given.
//! Decryption accepts scrypt work factors up to 2^22 (as the reference tool does), so a
//! crafted file cannot make `linli` spin for minutes. Any failure of authentication (wrong
//! passphrase or key, a changed header or payload, a truncated file) stops the command
//! before it writes or prints anything.
//!
//! Secrets are read from files only, never from the command line, kept in
//! `SecretString`/`Zeroizing` buffers and never put in an error message.

use std::fs;
use std::io::{BufRead, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::SecretString;
use anyhow::{bail, Context, Result};
use clap::Args;
use zeroize::Zeroizing;

/// The scrypt work factor (log2 N) used to encrypt: the reference `age` tool's value.
pub const SCRYPT_LOG_N: u8 = 18;
/// Highest scrypt work factor (log2 N) accepted to decrypt: the reference tool's limit.
pub const MAX_SCRYPT_LOG_N: u8 = 22;

/// First bytes of a binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";
/// First line of an armored age file.
const ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// How a command that writes a backup encrypts it.
#[derive(Debug, Args)]
pub struct WriteSecrets {
    /// Encrypt with the passphrase in FILE (its first line; age's scrypt passphrase mode).
    #[arg(long, value_name = "FILE", conflicts_with = "recipient")]
    pub passphrase_file: Option<PathBuf>,
    /// Encrypt to this age X25519 public key (`age1…`, from `age-keygen`); repeat for
    /// several holders (e.g. the community and the street office).
    #[arg(long, value_name = "AGE1…")]
    pub recipient: Vec<String>,
    /// Write the age file as ASCII armor (`-----BEGIN AGE ENCRYPTED FILE-----`) instead of
    /// binary.
    #[arg(long)]
    pub armor: bool,
}

/// How a command that reads a backup decrypts it.
#[derive(Debug, Args)]
pub struct ReadSecrets {
    /// Decrypt a passphrase-encrypted backup with the passphrase in FILE (its first line).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Decrypt with the age identity file FILE (`AGE-SECRET-KEY-1…` lines); repeatable.
    #[arg(long, value_name = "FILE")]
    pub identity: Vec<PathBuf>,
    /// Read a legacy unencrypted backup without the warning (you have checked where it
    /// comes from).
    #[arg(long)]
    pub allow_plain: bool,
}

/// Reads a passphrase file: its first line without the line ending; an empty one is refused.
pub fn read_passphrase(path: &Path) -> Result<SecretString> {
    let bytes = Zeroizing::new(
        fs::read(path).with_context(|| format!("cannot read the passphrase file `{}`", path.display()))?,
    );
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        bail!(
            "the passphrase file `{}` is empty (its first line is the passphrase)",
            path.display()
        );
    }
    let Ok(text) = std::str::from_utf8(line) else {
        bail!("the passphrase file `{}` is not UTF-8 text", path.display());
    };
    Ok(SecretString::from(text.to_owned()))
}

/// Encrypts `plain` as `secrets` says: an age file (armored if asked), or `None` when no
/// passphrase or recipient was given.
pub fn seal(plain: &[u8], secrets: &WriteSecrets) -> Result<Option<Vec<u8>>> {
    let encryptor = if let Some(p) = &secrets.passphrase_file {
        let mut recipient = age::scrypt::Recipient::new(read_passphrase(p)?);
        // The reference tool's fixed work factor, whatever this machine's calibration said.
        recipient.set_work_factor(SCRYPT_LOG_N);
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .context("cannot set up the encryption")?
    } else if !secrets.recipient.is_empty() {
        let mut recipients = Vec::new();
        for r in &secrets.recipient {
            let r = r.trim();
            match age::x25519::Recipient::from_str(r) {
                Ok(k) => recipients.push(k),
                Err(_) => bail!(
                    "--recipient `{}`: not an age X25519 public key (it starts with `age1`; make one \
                     with `age-keygen`)",
                    r.chars().take(12).collect::<String>()
                ),
            }
        }
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .context("cannot set up the encryption")?
    } else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(plain.len() + plain.len() / 2 + 1024);
    let format = if secrets.armor {
        age::armor::Format::AsciiArmor
    } else {
        age::armor::Format::Binary
    };
    let armored = age::armor::ArmoredWriter::wrap_output(&mut out, format)?;
    let mut writer = encryptor.wrap_output(armored)?;
    writer.write_all(plain)?;
    writer.finish()?.finish()?;
    Ok(Some(out))
}

/// How an age file was sealed, to write it back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeForm {
    /// With a passphrase (else to X25519 keys).
    pub scrypt: bool,
    /// ASCII armor (else binary).
    pub armor: bool,
}

/// The form of an age file, `None` for anything else (a plain backup, or a header that
/// does not read: opening it then says why).
pub fn age_form(bytes: &[u8]) -> Option<AgeForm> {
    if !is_age(bytes) {
        return None;
    }
    let armor = !bytes.starts_with(AGE_MAGIC);
    let input = age::armor::ArmoredReader::new(std::io::Cursor::new(trim_leading_space(bytes)));
    let d = age::Decryptor::new_buffered(std::io::BufReader::new(input)).ok()?;
    Some(AgeForm {
        scrypt: d.is_scrypt(),
        armor,
    })
}

/// Whether `bytes` start like an age file (binary or armored).
pub fn is_age(bytes: &[u8]) -> bool {
    let trimmed = trim_leading_space(bytes);
    bytes.starts_with(AGE_MAGIC) || trimmed.starts_with(ARMOR_MAGIC)
}

fn trim_leading_space(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[n..]
}

/// The plain backup bytes of `bytes` read from `name`: decrypted if it is an age file,
/// else (a legacy plain backup) as is, with a warning on standard error unless
/// `--allow-plain`. Fails, saying what to pass, when the secret is missing or wrong or the
/// file was changed.
pub fn open_backup(bytes: Vec<u8>, name: &str, secrets: &ReadSecrets) -> Result<Vec<u8>> {
    if !is_age(&bytes) {
        // Only what looks like a backup (a JSON object) is warned about; anything else
        // fails to decode with its own message.
        if !secrets.allow_plain && trim_leading_space(&bytes).starts_with(b"{") {
            eprintln!(
                "linli: warning: `{name}` is an unencrypted legacy backup: it is not authenticated \
                 (anyone could have edited it and recomputed its SHA-256). Encrypt backups with \
                 --passphrase-file or --recipient; pass --allow-plain to read this one without the warning."
            );
        }
        return Ok(bytes);
    }
    // Armor may follow blank lines (pasted from an e-mail); binary starts at byte 0.
    let start = if bytes.starts_with(AGE_MAGIC) {
        &bytes[..]
    } else {
        trim_leading_space(&bytes)
    };
    let input = age::armor::ArmoredReader::new(std::io::Cursor::new(start));
    let decryptor = match age::Decryptor::new_buffered(std::io::BufReader::new(input)) {
        Ok(d) => d,
        Err(e) => bail!(
            "`{name}` is a damaged age file ({}); nothing was written",
            describe(&e)
        ),
    };
    let plain = if decryptor.is_scrypt() {
        let Some(p) = &secrets.passphrase_file else {
            bail!(
                "`{name}` is encrypted with a passphrase: pass --passphrase-file FILE (a file \
                 whose first line is the passphrase)"
            );
        };
        let mut identity = age::scrypt::Identity::new(read_passphrase(p)?);
        identity.set_max_work_factor(MAX_SCRYPT_LOG_N);
        decrypt(decryptor, std::iter::once(&identity as &dyn age::Identity), name)?
    } else {
        if secrets.identity.is_empty() {
            bail!(
                "`{name}` is encrypted to age keys: pass --identity FILE (the age identity file, \
                 `AGE-SECRET-KEY-1…`, of one of its recipients)"
            );
        }
        let mut identities = Vec::new();
        for path in &secrets.identity {
            identities.extend(read_identities(path)?);
        }
        decrypt(
            decryptor,
            identities.iter().map(|i| i.as_ref() as &dyn age::Identity),
            name,
        )?
    };
    if is_age(&plain) {
        bail!("`{name}` holds another age file inside; nothing was written");
    }
    Ok(plain)
}

fn decrypt<'a, R: BufRead>(
    decryptor: age::Decryptor<R>,
    identities: impl Iterator<Item = &'a dyn age::Identity>,
    name: &str,
) -> Result<Vec<u8>> {
    let mut reader = match decryptor.decrypt(identities) {
        Ok(r) => r,
        Err(e) => bail!("`{name}` cannot be opened: {}; nothing was written", describe(&e)),
    };
    let mut plain = Vec::new();
    if reader.read_to_end(&mut plain).is_err() {
        bail!(
            "`{name}` failed authentication: its content was changed or cut after it was \
             encrypted; nothing was written"
        );
    }
    Ok(plain)
}

/// Reads an age identity file (native X25519 identities only; no plugins).
fn read_identities(path: &Path) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>> {
    let text = Zeroizing::new(
        fs::read(path).with_context(|| format!("cannot read the identity file `{}`", path.display()))?,
    );
    let bad = || {
        anyhow::anyhow!(
            "`{}` is not an age identity file (lines `AGE-SECRET-KEY-1…`, as `age-keygen` writes)",
            path.display()
        )
    };
    let file = age::IdentityFile::from_buffer(&text[..]).map_err(|_| bad())?;
    let ids = file.into_identities().map_err(|_| bad())?;
    if ids.is_empty() {
        return Err(bad());
    }
    Ok(ids)
}

/// A plain sentence for an age error (never its input).
fn describe(e: &age::DecryptError) -> &'static str {
    use age::DecryptError as E;
    match e {
        E::NoMatchingKeys => "none of the given keys is one of its recipients",
        E::DecryptionFailed | E::KeyDecryptionFailed => "wrong passphrase or key, or the file was changed",
        E::InvalidMac => "its header failed authentication (wrong passphrase or the file was changed)",
        E::ExcessiveWork { .. } => "its passphrase work factor is larger than 2^22, refused",
        E::InvalidHeader | E::UnknownFormat => "its age header is invalid or of an unknown version",
        E::Io(_) => "it is truncated or not valid age",
        #[allow(unreachable_patterns)]
        _ => "it cannot be decrypted",
    }
}

/// Writes `bytes` to `path` with mode 0600: into a new temporary file in the same folder
/// (created exclusively, 0600), synced, then renamed over `path`.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(anyhow::Error::new(e).context(format!("cannot write `{}`", path.display())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use age::secrecy::ExposeSecret;

    use super::*;

    fn pass(name: &str, bytes: &[u8]) -> Result<SecretString> {
        let dir = std::env::temp_dir().join(format!("linli-vault-unit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        fs::write(&p, bytes).unwrap();
        read_passphrase(&p)
    }

    #[test]
    fn passphrase_is_the_first_line_without_its_line_ending() {
        assert_eq!(pass("lf", b"s3cret\nnext\n").unwrap().expose_secret(), "s3cret");
        assert_eq!(pass("crlf", b"s3cret\r\n").unwrap().expose_secret(), "s3cret");
        assert_eq!(pass("bare", b"s3cret").unwrap().expose_secret(), "s3cret");
        assert_eq!(pass("spaces", b" a b \n").unwrap().expose_secret(), " a b ");
        for (name, bytes) in [("empty", &b""[..]), ("newline", b"\n"), ("crlf-only", b"\r\nx")] {
            let e = pass(name, bytes).unwrap_err().to_string();
            assert!(e.contains("is empty"), "{name}: {e}");
        }
        let e = pass("latin1", b"caf\xe9\n").unwrap_err().to_string();
        assert!(e.contains("not UTF-8") && !e.contains("caf"), "{e}");
    }

    #[test]
    fn age_files_are_recognised_by_their_first_bytes() {
        assert!(is_age(b"age-encryption.org/v1\n-> X25519 abc\n"));
        assert!(is_age(b"\n  -----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n"));
        assert!(!is_age(b"{\"format\": \"linli-backup\"}"));
        assert!(
            !is_age(b" age-encryption.org/v1"),
            "binary age has no leading space"
        );
        assert!(!is_age(b""));
    }
}
