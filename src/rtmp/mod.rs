//! RTMP: handshake, chunk stream demultiplexing and message decoding.
