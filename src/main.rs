//! The `bench` command line.

fn main() {
    std::process::exit(bench::cli::main());
}
