//! RTMP: handshake, chunk stream demultiplexing and message decoding.

pub mod command;
