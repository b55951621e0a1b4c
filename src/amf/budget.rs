//! Accounting that keeps hostile AMF bounded: nesting depth, decoded values, and memory held by
//! decoded values, reference copies and reference tables.
//!
//! References are resolved into copies, so a few bytes of input can ask for a lot of output
//! (object A holds two references to B, B two to C, ...). Every copy is therefore charged
//! against the same budget as freshly decoded values, and the depth a copy lands at is checked
//! against the depth limit so that copies cannot build trees deeper than the limit either.

use super::{AmfError, AmfLimits, AmfValue};

/// Nesting that is never exceeded whatever `AmfLimits::max_depth` says: the decoders recurse
/// a few frames per level, and 512 levels already overflow a 2 MiB stack in a debug build.
pub(crate) const HARD_MAX_DEPTH: usize = 256;

/// Approximate heap cost of one decoded value (the enum plus its slot in a parent container).
const NODE_BYTES: usize = 64;

/// Size of a decoded value: how many values it holds (itself included), roughly how many bytes
/// of memory, and how many container levels sit below it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Cost {
    pub nodes: usize,
    pub bytes: usize,
    pub height: usize,
}

/// Measures a value. Recursion is bounded because every value handed in was built within the
/// depth limit.
pub(crate) fn measure(value: &AmfValue) -> Cost {
    let mut cost = Cost {
        nodes: 1,
        bytes: NODE_BYTES,
        height: 0,
    };
    fn add(cost: &mut Cost, child: &AmfValue, key_len: usize) {
        let c = measure(child);
        cost.nodes += c.nodes;
        cost.bytes += c.bytes + key_len;
        cost.height = cost.height.max(c.height + 1);
    }
    match value {
        AmfValue::String(s) | AmfValue::Xml(s) => cost.bytes += s.len(),
        AmfValue::ByteArray(b) => cost.bytes += b.len(),
        AmfValue::VectorInt(v) => cost.bytes += v.len() * 4,
        AmfValue::VectorUint(v) => cost.bytes += v.len() * 4,
        AmfValue::VectorDouble(v) => cost.bytes += v.len() * 8,
        AmfValue::Object {
            class_name,
            properties,
        } => {
            cost.bytes += class_name.as_ref().map_or(0, String::len);
            for (k, v) in properties {
                add(&mut cost, v, k.len());
            }
        }
        AmfValue::EcmaArray(properties) => {
            for (k, v) in properties {
                add(&mut cost, v, k.len());
            }
        }
        AmfValue::Amf3Array { associative, dense } => {
            for (k, v) in associative {
                add(&mut cost, v, k.len());
            }
            for v in dense {
                add(&mut cost, v, 0);
            }
        }
        AmfValue::StrictArray(items) => {
            for v in items {
                add(&mut cost, v, 0);
            }
        }
        AmfValue::VectorObject { type_name, items } => {
            cost.bytes += type_name.len();
            for v in items {
                add(&mut cost, v, 0);
            }
        }
        AmfValue::Dictionary(entries) => {
            for (k, v) in entries {
                add(&mut cost, k, 0);
                add(&mut cost, v, 0);
            }
        }
        AmfValue::Number(_)
        | AmfValue::Integer(_)
        | AmfValue::Boolean(_)
        | AmfValue::Date { .. }
        | AmfValue::Null
        | AmfValue::Undefined
        | AmfValue::Unsupported
        | AmfValue::UnresolvedReference(_) => {}
    }
    cost
}

/// What one reader has used so far.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    limits: AmfLimits,
    values: usize,
    bytes: usize,
}

impl Budget {
    pub(crate) fn new(limits: AmfLimits) -> Self {
        Budget {
            limits,
            values: 0,
            bytes: 0,
        }
    }

    pub(crate) fn max_depth(&self) -> usize {
        self.limits.max_depth.min(HARD_MAX_DEPTH)
    }

    /// Called on entry to every value decode, before anything nested is read.
    pub(crate) fn enter_value(&mut self, depth: usize, offset: usize) -> Result<(), AmfError> {
        if depth > self.max_depth() {
            return Err(AmfError::TooDeep {
                limit: self.max_depth(),
                offset,
            });
        }
        self.add_values(1, offset)?;
        self.add_bytes(NODE_BYTES, offset)
    }

    fn add_values(&mut self, n: usize, offset: usize) -> Result<(), AmfError> {
        self.values = self.values.saturating_add(n);
        if self.values > self.limits.max_values {
            return Err(AmfError::TooManyValues {
                limit: self.limits.max_values,
                offset,
            });
        }
        Ok(())
    }

    /// Charges memory for text, binary data or keys.
    pub(crate) fn add_bytes(&mut self, n: usize, offset: usize) -> Result<(), AmfError> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.limits.max_bytes {
            return Err(AmfError::TooLarge {
                limit: self.limits.max_bytes,
                offset,
            });
        }
        Ok(())
    }

    /// Charges a resolved reference: a copy of `cost` placed at `depth`.
    pub(crate) fn add_copy(
        &mut self,
        cost: Cost,
        depth: usize,
        offset: usize,
    ) -> Result<(), AmfError> {
        if depth.saturating_add(cost.height) > self.max_depth() {
            return Err(AmfError::TooDeep {
                limit: self.max_depth(),
                offset,
            });
        }
        self.add_values(cost.nodes, offset)?;
        self.add_bytes(cost.bytes, offset)
    }
}

/// A reference table of complex values (AMF0 objects/arrays, AMF3 objects/arrays/dates/...).
/// A slot is reserved when its value starts decoding, so the members of a value can refer to
/// it; such a reference (a cycle) resolves to `UnresolvedReference`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RefTable {
    slots: Vec<Option<(AmfValue, Cost)>>,
}

impl RefTable {
    pub(crate) fn reserve(&mut self) -> usize {
        self.slots.push(None);
        self.slots.len() - 1
    }

    /// Stores a finished value (a copy: the original goes to the caller), charging its memory.
    pub(crate) fn fill(
        &mut self,
        index: usize,
        value: &AmfValue,
        budget: &mut Budget,
        offset: usize,
    ) -> Result<(), AmfError> {
        let cost = measure(value);
        budget.add_bytes(cost.bytes, offset)?;
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Some((value.clone(), cost));
        }
        Ok(())
    }

    /// A copy of the value at `index`, to be placed at `depth`.
    pub(crate) fn resolve(
        &self,
        index: usize,
        depth: usize,
        budget: &mut Budget,
        offset: usize,
    ) -> Result<AmfValue, AmfError> {
        match self.slots.get(index) {
            None => Err(AmfError::Invalid {
                offset,
                reason: format!(
                    "object reference {index} out of range ({} known)",
                    self.slots.len()
                ),
            }),
            Some(None) => Ok(AmfValue::UnresolvedReference(
                u32::try_from(index).unwrap_or(u32::MAX),
            )),
            Some(Some((value, cost))) => {
                budget.add_copy(*cost, depth, offset)?;
                Ok(value.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_counts_nodes_bytes_and_height() {
        let value = AmfValue::StrictArray(vec![
            AmfValue::String("abc".into()),
            AmfValue::EcmaArray(vec![("k".into(), AmfValue::Null)]),
        ]);
        let cost = measure(&value);
        assert_eq!(cost.nodes, 4);
        assert_eq!(cost.height, 2);
        assert_eq!(cost.bytes, 4 * NODE_BYTES + 3 + 1);
    }

    #[test]
    fn ref_table_resolves_copies_cycles_and_range_errors() {
        let mut budget = Budget::new(AmfLimits::default());
        let mut table = RefTable::default();
        let slot = table.reserve();
        assert_eq!(
            table.resolve(slot, 1, &mut budget, 9),
            Ok(AmfValue::UnresolvedReference(0))
        );
        let value = AmfValue::StrictArray(vec![AmfValue::Null]);
        table
            .fill(slot, &value, &mut budget, 0)
            .expect("within budget");
        assert_eq!(table.resolve(slot, 1, &mut budget, 9), Ok(value));
        assert!(matches!(
            table.resolve(1, 1, &mut budget, 9),
            Err(AmfError::Invalid { offset: 9, .. })
        ));
        // A copy of height 1 placed at the depth limit would nest one level too deep.
        assert!(matches!(
            table.resolve(slot, 64, &mut budget, 9),
            Err(AmfError::TooDeep { limit: 64, .. })
        ));
    }

    #[test]
    fn depth_limit_is_capped() {
        let budget = Budget::new(AmfLimits {
            max_depth: usize::MAX,
            ..AmfLimits::default()
        });
        assert_eq!(budget.max_depth(), HARD_MAX_DEPTH);
    }
}
