//! Chunk stream state by chunk stream id: ids below 64 (the one-byte basic header, which real
//! streams use) in a directly indexed table, the rest in a map. Looked up on every chunk.

use std::collections::BTreeMap;

use super::super::stream::StreamState;

/// Ids below this are indexed directly.
const DIRECT: usize = 64;

#[derive(Debug, Default)]
pub(super) struct ChunkStreams {
    /// Grown up to the highest small id used.
    low: Vec<Option<StreamState>>,
    high: BTreeMap<u32, StreamState>,
    low_count: usize,
}

impl ChunkStreams {
    pub fn get(&self, csid: &u32) -> Option<&StreamState> {
        match usize::try_from(*csid).ok().filter(|&i| i < DIRECT) {
            Some(i) => self.low.get(i).and_then(Option::as_ref),
            None => self.high.get(csid),
        }
    }

    pub fn get_mut(&mut self, csid: &u32) -> Option<&mut StreamState> {
        match usize::try_from(*csid).ok().filter(|&i| i < DIRECT) {
            Some(i) => self.low.get_mut(i).and_then(Option::as_mut),
            None => self.high.get_mut(csid),
        }
    }

    pub fn get_or_insert_with(
        &mut self,
        csid: u32,
        new: impl FnOnce() -> StreamState,
    ) -> &mut StreamState {
        let Some(i) = usize::try_from(csid).ok().filter(|&i| i < DIRECT) else {
            return self.high.entry(csid).or_insert_with(new);
        };
        if self.low.len() <= i {
            self.low.resize_with(i + 1, || None);
        }
        // The table was just grown to cover `i`; the map is a fallback that is never used.
        match self.low.get_mut(i) {
            Some(slot) => {
                if slot.is_none() {
                    self.low_count += 1;
                }
                slot.get_or_insert_with(new)
            }
            None => self.high.entry(csid).or_insert_with(new),
        }
    }

    pub fn len(&self) -> usize {
        self.low_count + self.high.len()
    }

    /// In ascending id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &StreamState)> {
        let low = self
            .low
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((u32::try_from(i).ok()?, s.as_ref()?)));
        low.chain(self.high.iter().map(|(&csid, s)| (csid, s)))
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut StreamState> {
        self.low.iter_mut().flatten().chain(self.high.values_mut())
    }
}
