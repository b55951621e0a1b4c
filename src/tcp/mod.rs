//! TCP reassembly: connections by 4-tuple, per-direction byte streams with explicit gaps.
