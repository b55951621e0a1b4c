fn main() {
    println!("rtmpscope {}", env!("CARGO_PKG_VERSION"));
}
