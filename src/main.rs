fn main() -> std::process::ExitCode {
    tribune::cli::main()
}
