//! A structural check of OLE compound files (the container of .xls) before they reach
//! calamine, whose reader can loop on a cyclic sector chain (unbounded memory) or index
//! out of bounds on a malformed one. Walks every chain the reader will follow, with
//! bounds and cycle checks ([MS-CFB] §2.2–2.6).

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED: u32 = 0xFFFF_FFFA;

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

struct Sectors<'a> {
    data: &'a [u8],
    size: usize,
}

impl Sectors<'_> {
    /// The bytes of a chain (already checked with `chain` or walked above), at most
    /// `len` of them.
    fn collect(&self, start: u32, table: &[u32], len: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut cur = start;
        let mut steps = 0usize;
        while cur != ENDOFCHAIN && out.len() < len {
            out.extend_from_slice(self.get(cur)?);
            steps += 1;
            if steps > table.len() + 1 {
                return None;
            }
            if out.len() >= len {
                break;
            }
            cur = *table.get(cur as usize)?;
        }
        out.truncate(len);
        Some(out)
    }

    /// A whole sector, or None when it is not entirely in the file.
    fn get(&self, id: u32) -> Option<&[u8]> {
        let start = (id as usize).checked_mul(self.size)?;
        self.data.get(start..start.checked_add(self.size)?)
    }

    /// Follows a chain through `table` for at most `len` bytes; None on a cycle, a
    /// sector outside the data or an entry outside the table.
    fn chain(&self, start: u32, table: &[u32], len: usize) -> Option<usize> {
        let mut cur = start;
        let mut got = 0usize;
        let mut steps = 0usize;
        while cur != ENDOFCHAIN {
            self.get(cur)?;
            steps += 1;
            if steps > table.len() + 1 {
                return None;
            }
            got = got.saturating_add(self.size);
            if got >= len {
                return Some(got);
            }
            cur = *table.get(cur as usize)?;
        }
        Some(got)
    }
}

/// Whether the compound file's chains are all well formed, and its workbook stream
/// has no record known to crash the XLS reader.
pub(crate) fn cfb_is_sound(bytes: &[u8]) -> bool {
    check(bytes).is_some_and(|workbook| biff_is_sound(&workbook))
}

/// Scans BIFF records for a DIMENSIONS record whose last row lies before its first
/// (calamine 0.34 subtracts them without a check).
fn biff_is_sound(stream: &[u8]) -> bool {
    let mut i = 0usize;
    while let (Some(typ), Some(len)) = (u16_at(stream, i), u16_at(stream, i + 2)) {
        let data = match stream.get(i + 4..i + 4 + len as usize) {
            Some(d) => d,
            None => break,
        };
        if typ == 0x0200 {
            let rows = match data.len() {
                10 => u16_at(data, 0)
                    .zip(u16_at(data, 2))
                    .map(|(a, b)| (a as u32, b as u32)),
                14 => u32_at(data, 0).zip(u32_at(data, 4)),
                _ => None,
            };
            let cl = match data.len() {
                10 => u16_at(data, 6),
                14 => u16_at(data, 10),
                _ => None,
            };
            if let (Some((rf, rl)), Some(cl)) = (rows, cl) {
                if rl >= 1 && cl >= 1 && rl - 1 < rf {
                    return false;
                }
            }
        }
        i += 4 + len as usize;
    }
    true
}

/// Checks the container; returns the workbook stream ("Workbook" or "Book").
fn check(bytes: &[u8]) -> Option<Vec<u8>> {
    let header = bytes.get(..512)?;
    let size = match u16_at(header, 30)? {
        9 => 512usize,
        12 => 4096,
        _ => return None,
    };
    let big = size == 4096;
    let sectors = Sectors {
        data: bytes.get(size..)?,
        size,
    };
    let n_sectors = sectors.data.len() / size;
    // The reader sizes buffers from these header counts before reading anything.
    let fat_len = u32_at(header, 44)? as usize;
    let difat_capacity = u32_at(header, 62)? as usize; // as calamine 0.34 reads it
    if fat_len > n_sectors + 1 || difat_capacity > 64 << 20 {
        return None;
    }
    let dir_start = u32_at(header, 48)?;
    let mini_fat_start = u32_at(header, 60)?;
    let mini_fat_len = u32_at(header, 64)? as usize;
    if mini_fat_len > n_sectors {
        return None;
    }
    let difat_start = u32_at(header, 68)?;
    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
    let mut difat: Vec<u32> = u32s(header.get(76..512)?).collect();
    let mut id = difat_start;
    let mut steps = 0usize;
    while id < RESERVED {
        steps += 1;
        if steps > n_sectors + 1 {
            return None;
        }
        difat.extend(u32s(sectors.get(id)?));
        id = difat.pop()?;
    }
    let mut fats: Vec<u32> = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFSECT) {
        fats.extend(u32s(sectors.get(id)?));
    }
    // Directory entries.
    let dir_bytes = sectors.chain(dir_start, &fats, usize::MAX)?;
    let mut dirs: Vec<(u32, usize)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut cur = dir_start;
    let mut seen = 0usize;
    while cur != ENDOFCHAIN && seen < dir_bytes {
        let s = sectors.get(cur)?;
        for e in s.chunks_exact(128) {
            let start = u32_at(e, 116)?;
            let len = if big {
                usize::try_from(u64::from_le_bytes(e.get(120..128)?.try_into().ok()?)).ok()?
            } else {
                u32_at(e, 120)? as usize
            };
            dirs.push((start, len));
            let units: Vec<u16> = e
                .get(..64)?
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|u| *u != 0)
                .collect();
            names.push(String::from_utf16_lossy(&units));
        }
        seen += size;
        cur = *fats.get(cur as usize)?;
    }
    let &(root_start, root_len) = dirs.first()?;
    let mut mini_fats: Vec<u32> = Vec::new();
    let mut mini_stream_len = 0usize;
    let mut mini_stream: Vec<u8> = Vec::new();
    if mini_fat_len > 0 {
        let got = sectors.chain(root_start, &fats, root_len)?;
        mini_stream_len = got.min(root_len);
        mini_stream = sectors.collect(root_start, &fats, mini_stream_len)?;
        sectors.chain(mini_fat_start, &fats, mini_fat_len.saturating_mul(size))?;
        let mut cur = mini_fat_start;
        let mut steps = 0;
        while cur != ENDOFCHAIN && steps < mini_fat_len {
            mini_fats.extend(u32s(sectors.get(cur)?));
            cur = *fats.get(cur as usize)?;
            steps += 1;
        }
    }
    let mini = Sectors {
        data: &mini_stream,
        size: 64,
    };
    let mut workbook = Vec::new();
    // Every stream the reader may open.
    for (k, &(start, len)) in dirs.iter().enumerate().skip(1) {
        if len == 0 || start == ENDOFCHAIN || start >= RESERVED {
            continue;
        }
        let is_workbook = names
            .get(k)
            .is_some_and(|n| n.eq_ignore_ascii_case("workbook") || n.eq_ignore_ascii_case("book"));
        if len < 4096 {
            // Mini stream: sectors of 64 bytes inside the root entry's stream.
            let mut cur = start;
            let mut got = 0usize;
            let mut steps = 0usize;
            while cur != ENDOFCHAIN {
                let end = (cur as usize).checked_add(1)?.checked_mul(64)?;
                if end > mini_stream_len {
                    return None;
                }
                steps += 1;
                if steps > mini_fats.len() + 1 {
                    return None;
                }
                got += 64;
                if got >= len {
                    break;
                }
                cur = *mini_fats.get(cur as usize)?;
            }
            if is_workbook && workbook.is_empty() {
                workbook = mini.collect(start, &mini_fats, len)?;
            }
        } else {
            sectors.chain(start, &fats, len)?;
            if is_workbook && workbook.is_empty() {
                workbook = sectors.collect(start, &fats, len)?;
            }
        }
    }
    Some(workbook)
}
