//! A minimal ZIP writer (stored entries, no compression) for the published folder the
//! workspace offers as one download. Static hosts take the files as they are, and the
//! dashboard's assets are compressed by the host anyway, so storing is enough.
//!
//! Format: PKWARE APPNOTE 6.3.10 §4.3 — a local file header and the data per entry, then
//! the central directory and the end-of-central-directory record. UTF-8 names (general
//! purpose bit 11), CRC-32 by `crc32fast`, no ZIP64: at most 65,535 entries and 4 GiB.

/// Why an archive could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error("too many files for a ZIP archive without ZIP64 (at most 65,535)")]
    TooManyFiles,
    #[error("`{0}` is too large for a ZIP archive without ZIP64 (4 GiB)")]
    TooLarge(String),
    #[error("`{0}` is not a relative path inside the folder")]
    BadName(String),
}

/// Writes `files` (relative `/`-separated path, bytes) as a stored ZIP archive.
/// `dos_time` and `dos_date` are the MS-DOS time and date written for every entry
/// (the domain has no clock; [`dos_datetime`] converts).
///
/// # Errors
///
/// [`ZipError`].
///
/// # Examples
///
/// ```
/// let zip = linli_domain::zipfile::write(&[("a/b.txt", b"hello".as_slice())], 0, 0x21).unwrap();
/// assert_eq!(&zip[..4], b"PK\x03\x04");
/// assert_eq!(&zip[zip.len() - 22..zip.len() - 18], b"PK\x05\x06");
/// ```
pub fn write(files: &[(&str, &[u8])], dos_time: u16, dos_date: u16) -> Result<Vec<u8>, ZipError> {
    if files.len() > usize::from(u16::MAX) {
        return Err(ZipError::TooManyFiles);
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        if name.is_empty()
            || name.starts_with('/')
            || name.contains('\\')
            || name.split('/').any(|c| c == ".." || c.is_empty())
        {
            return Err(ZipError::BadName((*name).to_owned()));
        }
        let size = u32::try_from(data.len()).map_err(|_| ZipError::TooLarge((*name).to_owned()))?;
        let offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge((*name).to_owned()))?;
        let name_len = u16::try_from(name.len()).map_err(|_| ZipError::BadName((*name).to_owned()))?;
        let crc = crc32fast::hash(data);
        // Local file header.
        out.extend_from_slice(b"PK\x03\x04");
        for v in [20u16, 0x0800, 0, dos_time, dos_date] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Central directory entry.
        central.extend_from_slice(b"PK\x01\x02");
        for v in [20u16, 20, 0x0800, 0, dos_time, dos_date] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).map_err(|_| ZipError::TooLarge("archive".to_owned()))?;
    let cd_size = u32::try_from(central.len()).map_err(|_| ZipError::TooLarge("archive".to_owned()))?;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    let n = files.len() as u16;
    for v in [0u16, 0, n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

/// MS-DOS time and date of a UTC+8 wall-clock time given as ms since the Unix epoch.
pub fn dos_datetime(ms: i64) -> (u16, u16) {
    let local = ms + 8 * 3_600_000;
    let days = local.div_euclid(86_400_000);
    let secs = local.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = crate::date::civil_from_days(days);
    let y = (y - 1980).clamp(0, 127) as u16;
    let time = ((secs / 3600) as u16) << 11 | (((secs / 60) % 60) as u16) << 5 | ((secs % 60) / 2) as u16;
    (time, y << 9 | (m as u16) << 5 | d as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads back a stored archive written by [`write`] (independently of it: via the
    /// central directory), checking signatures and CRCs.
    fn read(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]);
        let end = zip.len() - 22;
        assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
        let n = usize::from(u16_at(end + 10));
        let mut p = u32_at(end + 16) as usize;
        let mut out = Vec::new();
        for _ in 0..n {
            assert_eq!(&zip[p..p + 4], b"PK\x01\x02");
            let crc = u32_at(p + 16);
            let size = u32_at(p + 20) as usize;
            let name_len = usize::from(u16_at(p + 28));
            let local = u32_at(p + 42) as usize;
            let name = String::from_utf8(zip[p + 46..p + 46 + name_len].to_vec()).unwrap();
            assert_eq!(&zip[local..local + 4], b"PK\x03\x04");
            let data_at = local + 30 + usize::from(u16_at(local + 26));
            let data = zip[data_at..data_at + size].to_vec();
            assert_eq!(crc32fast::hash(&data), crc);
            out.push((name, data));
            p += 46 + name_len;
        }
        out
    }

    #[test]
    fn round_trip_with_known_crc() {
        let files: Vec<(&str, &[u8])> = vec![
            ("index.html", b"<!DOCTYPE html>"),
            ("snapshots/中文.json", b"{}"),
            ("e", b""),
        ];
        let zip = write(&files, 0, 0x21).unwrap();
        let back = read(&zip);
        assert_eq!(back.len(), 3);
        for ((n, d), (bn, bd)) in files.iter().zip(&back) {
            assert_eq!((*n, *d), (bn.as_str(), bd.as_slice()));
        }
        // CRC-32 of "hello" is 0x3610a686 (IEEE).
        let zip = write(&[("h", b"hello")], 0, 0).unwrap();
        assert_eq!(&zip[14..18], &0x3610_a686u32.to_le_bytes());
    }

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        for bad in ["", "/etc/passwd", "../x", "a/../../b", "a\\b", "a//b"] {
            assert!(
                matches!(write(&[(bad, b"x")], 0, 0), Err(ZipError::BadName(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn dos_time_of_a_known_moment() {
        // 2026-11-24 12:00:00 China time.
        let (t, d) = dos_datetime(1_795_492_800_000);
        assert_eq!(t, 12 << 11);
        assert_eq!(d, (2026 - 1980) << 9 | 11 << 5 | 24);
    }
}
