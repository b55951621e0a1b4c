//! The Enhanced RTMP (v1 and v2) layout of an audio or video tag after its first byte: ModEx
//! prefixes, the FourCC, and the three multitrack layouts with their tracks (veovera's
//! enhanced-rtmp-v2 spec, "ExVideoTagHeader" and "ExAudioTagHeader"; audio and video lay these
//! out the same way). The one walker over that layout: the tag header decoder
//! (`rtmp::media`) and the sequence record finder ([`super::video_sequence_records`]) both read
//! through it, each keeping what it needs and deciding how strict to be about cut tracks.

use super::fourcc::FourCc;

/// `PacketType.SequenceStart`, the same value for audio and video.
pub const PACKET_SEQUENCE_START: u8 = 0;
/// `PacketType.ModEx`, the same value for audio and video.
pub const PACKET_MODEX: u8 = 7;
/// `ModExType.TimestampOffsetNano`.
const MODEX_TIMESTAMP_OFFSET_NANO: u8 = 0;

/// Multitrack layouts (`AvMultitrackType`).
pub const MULTITRACK_ONE_TRACK: u8 = 0;
pub const MULTITRACK_MANY_TRACKS: u8 = 1;
pub const MULTITRACK_MANY_TRACKS_MANY_CODECS: u8 = 2;

/// A field the body ended in: its name, the body offset it starts at and the bytes it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExShort {
    pub field: &'static str,
    pub offset: usize,
    pub needed: usize,
    /// The length of the whole body.
    pub body_len: usize,
}

#[derive(Debug, Clone)]
struct Cursor<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], ExShort> {
        let bytes = self
            .at
            .checked_add(n)
            .and_then(|end| self.body.get(self.at..end))
            .ok_or(ExShort {
                field,
                offset: self.at,
                needed: n,
                body_len: self.body.len(),
            })?;
        self.at += n;
        Ok(bytes)
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, ExShort> {
        Ok(self.take(1, field)?.first().copied().unwrap_or_default())
    }

    fn uint(&mut self, n: usize, field: &'static str) -> Result<u32, ExShort> {
        Ok(self
            .take(n, field)?
            .iter()
            .fold(0u32, |v, &b| (v << 8) | u32::from(b)))
    }

    fn fourcc(&mut self, field: &'static str) -> Result<FourCc, ExShort> {
        let bytes = self.take(4, field)?;
        let mut code = [0u8; 4];
        code.iter_mut().zip(bytes).for_each(|(c, &b)| *c = b);
        Ok(FourCc(code))
    }

    fn rest(&self) -> &'a [u8] {
        self.body.get(self.at..).unwrap_or_default()
    }
}

/// What the ModEx prefixes said, and the packet type after them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModEx {
    /// At least one prefix was present.
    pub present: bool,
    /// `TimestampOffsetNano`: nanoseconds to add to the millisecond timestamp.
    pub timestamp_offset_nano: Option<u32>,
}

/// Skips the ModEx prefixes starting at the cursor; returns them and the real packet type.
fn read_mod_ex(r: &mut Cursor<'_>, mut packet_type: u8) -> Result<(ModEx, u8), ExShort> {
    let mut mod_ex = ModEx::default();
    while packet_type == PACKET_MODEX {
        mod_ex.present = true;
        let mut size = usize::from(r.u8("ModEx data size")?) + 1;
        if size == 256 {
            size = r.uint(2, "ModEx data size (16 bit)")? as usize + 1;
        }
        let data = r.take(size, "ModEx data")?;
        let byte = r.u8("ModEx type and packet type")?;
        if byte >> 4 == MODEX_TIMESTAMP_OFFSET_NANO {
            if let Some(&[a, b, c]) = data.get(..3) {
                mod_ex.timestamp_offset_nano =
                    Some(u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c));
            }
        }
        packet_type = byte & 0x0f;
    }
    Ok((mod_ex, packet_type))
}

/// An Enhanced RTMP tag, read in steps up to its payload (one track) or its first track
/// (multitrack): [`read_ex_tag`] takes all steps; a caller that can stop early (a packet type it
/// has no use for) takes them one by one.
#[derive(Debug, Clone)]
pub struct ExTag<'a> {
    /// The packet type once ModEx prefixes are skipped (Multitrack stays Multitrack).
    pub packet_type: u8,
    pub mod_ex: ModEx,
    /// Multitrack: the layout, and the packet type all tracks share.
    pub multitrack_type: Option<u8>,
    pub track_packet_type: Option<u8>,
    /// The FourCC of a single-track tag, or the one all tracks share (none in the
    /// ManyTracksManyCodecs layout).
    pub fourcc: Option<FourCc>,
    r: Cursor<'a>,
}

/// Reads an Enhanced RTMP tag: `body` is the whole (kept) body, `packet_type` the low nibble of
/// its first byte, `multitrack` the packet type that means Multitrack for this media kind
/// (audio 5, video 6).
pub fn read_ex_tag(body: &[u8], packet_type: u8, multitrack: u8) -> Result<ExTag<'_>, ExShort> {
    let mut tag = ExTag::start(body, packet_type)?;
    tag.read_multitrack(multitrack)?;
    tag.read_fourcc()?;
    Ok(tag)
}

impl<'a> ExTag<'a> {
    /// Step 1: the ModEx prefixes, up to the real packet type.
    pub fn start(body: &'a [u8], packet_type: u8) -> Result<Self, ExShort> {
        let mut r = Cursor { body, at: 1 };
        let (mod_ex, packet_type) = read_mod_ex(&mut r, packet_type)?;
        Ok(ExTag {
            packet_type,
            mod_ex,
            multitrack_type: None,
            track_packet_type: None,
            fourcc: None,
            r,
        })
    }

    /// Step 2: the layout and the tracks' packet type, if the packet type is `multitrack`.
    pub fn read_multitrack(&mut self, multitrack: u8) -> Result<(), ExShort> {
        if self.packet_type == multitrack {
            let byte = self.r.u8("multitrack type and packet type")?;
            self.multitrack_type = Some(byte >> 4);
            self.track_packet_type = Some(byte & 0x0f);
        }
        Ok(())
    }

    /// Step 3: the FourCC, or the one all tracks share.
    pub fn read_fourcc(&mut self) -> Result<(), ExShort> {
        self.fourcc = match self.multitrack_type {
            None => Some(self.r.fourcc("Enhanced RTMP FourCC")?),
            Some(MULTITRACK_MANY_TRACKS_MANY_CODECS) => None,
            Some(_) => Some(self.r.fourcc("multitrack FourCC")?),
        };
        Ok(())
    }

    /// Single track: the bytes after the FourCC (composition time, record, frame data).
    /// Multitrack: the track headers and data.
    pub fn payload(&self) -> &'a [u8] {
        self.r.rest()
    }

    /// The tracks of a multitrack tag, in order: the first track's header is always read (an
    /// error if it is not there), later ones as long as bytes are left; after an error, none.
    /// A track's data may be cut short by the end of the body (see [`ExTrack::whole_data`]).
    pub fn tracks(&self) -> ExTracks<'a> {
        ExTracks {
            r: self.r.clone(),
            layout: self.multitrack_type,
            shared_fourcc: self.fourcc,
            read: 0,
            done: self.multitrack_type.is_none(),
        }
    }
}

/// The packet type a tag's kept prefix starts with, ModEx prefixes skipped, and for multitrack
/// tags the packet type the tracks share: `(packet type, track packet type)`. `None` when the
/// prefix is too short to tell.
pub fn peek_packet_types(prefix: &[u8], multitrack: u8) -> Option<(u8, Option<u8>)> {
    let mut tag = ExTag::start(prefix, prefix.first()? & 0x0f).ok()?;
    tag.read_multitrack(multitrack).ok()?;
    Some((tag.packet_type, tag.track_packet_type))
}

/// One track of a multitrack tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExTrack<'a> {
    pub track_id: u8,
    pub fourcc: FourCc,
    /// `sizeOfTrack` (absent in the OneTrack layout, where the track takes the rest of the body).
    pub size: Option<u32>,
    /// The track's data as far as the body holds it.
    pub data: &'a [u8],
    data_offset: usize,
    body_len: usize,
}

impl<'a> ExTrack<'a> {
    /// The track's data, or where it is cut short.
    pub fn whole_data(&self) -> Result<&'a [u8], ExShort> {
        match self.size {
            Some(n) if self.data.len() < n as usize => Err(ExShort {
                field: "track data",
                offset: self.data_offset,
                needed: n as usize,
                body_len: self.body_len,
            }),
            _ => Ok(self.data),
        }
    }
}

/// The tracks of a multitrack tag: see [`ExTag::tracks`].
#[derive(Debug, Clone)]
pub struct ExTracks<'a> {
    r: Cursor<'a>,
    layout: Option<u8>,
    shared_fourcc: Option<FourCc>,
    read: usize,
    done: bool,
}

impl<'a> ExTracks<'a> {
    /// Whether no byte is left for another track header.
    pub fn at_end(&self) -> bool {
        self.r.at >= self.r.body.len()
    }

    fn read_track(&mut self) -> Result<ExTrack<'a>, ExShort> {
        let r = &mut self.r;
        let fourcc = match self.shared_fourcc {
            Some(shared) => shared,
            None => r.fourcc("track FourCC")?,
        };
        let track_id = r.u8("track id")?;
        let one_track = self.layout == Some(MULTITRACK_ONE_TRACK);
        let size = if one_track {
            None
        } else {
            Some(r.uint(3, "track size")?)
        };
        let data_offset = r.at;
        let available = r.rest();
        let data = match size {
            Some(n) => available.get(..n as usize).unwrap_or(available),
            None => available,
        };
        // On to the next track; past the end of the body the walk ends.
        r.at = match size {
            Some(n) => data_offset.saturating_add(n as usize),
            None => r.body.len(),
        };
        if one_track {
            self.done = true;
        }
        Ok(ExTrack {
            track_id,
            fourcc,
            size,
            data,
            data_offset,
            body_len: r.body.len(),
        })
    }
}

impl<'a> Iterator for ExTracks<'a> {
    type Item = Result<ExTrack<'a>, ExShort>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || (self.read > 0 && self.at_end()) {
            return None;
        }
        self.read += 1;
        let track = self.read_track();
        self.done |= track.is_err();
        Some(track)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn modex_prefixes_are_skipped_and_read() {
        // ModEx, 3 bytes of data (0x001234 ns), then TimestampOffsetNano / SequenceStart, vp09.
        let body = [
            0x97, 0x02, 0x00, 0x12, 0x34, 0x00, b'v', b'p', b'0', b'9', 1, 2,
        ];
        let tag = read_ex_tag(&body, 7, 6).unwrap();
        assert_eq!(tag.packet_type, 0);
        assert_eq!(
            tag.mod_ex,
            ModEx {
                present: true,
                timestamp_offset_nano: Some(0x1234)
            }
        );
        assert_eq!(tag.fourcc, Some(FourCc(*b"vp09")));
        assert_eq!(tag.payload(), [1, 2]);
        assert_eq!(tag.tracks().count(), 0);
        let short = read_ex_tag(&[0x97, 0x10, 0xaa], 7, 6).unwrap_err();
        assert_eq!(
            short,
            ExShort {
                field: "ModEx data",
                offset: 2,
                needed: 17,
                body_len: 3
            }
        );
    }

    #[test]
    fn tracks_are_walked_as_far_as_the_body_goes() {
        // ManyTracks, vp09: track 0 whole, track 1 says 9 bytes and has 1.
        let body = [
            0x96, 0x10, b'v', b'p', b'0', b'9', 0, 0, 0, 2, 0xaa, 0xbb, 1, 0, 0, 9, 0xcc,
        ];
        let tag = read_ex_tag(&body, 6, 6).unwrap();
        let tracks: Vec<_> = tag.tracks().map(Result::unwrap).collect();
        assert_eq!(tracks.len(), 2);
        assert_eq!(tracks[0].whole_data(), Ok(&[0xaa, 0xbb][..]));
        assert_eq!((tracks[1].track_id, tracks[1].data), (1, &[0xcc][..]));
        assert_eq!(tracks[1].whole_data().unwrap_err().needed, 9);
        // No first track header: one error, then nothing.
        let tag = read_ex_tag(&body[..6], 6, 6).unwrap();
        let mut tracks = tag.tracks();
        assert_eq!(tracks.next().unwrap().unwrap_err().field, "track id");
        assert!(tracks.next().is_none());
    }
}
