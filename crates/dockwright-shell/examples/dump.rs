fn main() {
    let text = std::env::args().nth(1).unwrap();
    let s = dockwright_shell::parse(&text, &dockwright_shell::ParseOptions::default());
    println!("{}", serde_json::to_string_pretty(&s).unwrap());
}
