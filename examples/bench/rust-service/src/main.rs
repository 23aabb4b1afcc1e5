//! visits: counts page visits.
//!
//! `POST /visit/<page>` records a visit (the page is percent-decoded) and returns its count;
//! `GET /stats` returns every count as JSON; `GET /health` answers `ok`.

mod counter;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use counter::Counter;
use percent_encoding::percent_decode_str;

fn main() -> std::io::Result<()> {
    if std::env::args().any(|a| a == "--version") {
        println!("visits {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let port = std::env::var("PORT").unwrap_or_else(|_| "7878".to_string());
    let listener = TcpListener::bind(("0.0.0.0", port.parse().unwrap_or(7878)))?;
    eprintln!("visits listening on :{port}");
    let counter = Arc::new(Counter::default());
    for stream in listener.incoming() {
        let counter = Arc::clone(&counter);
        let stream = stream?;
        thread::spawn(move || {
            if let Err(e) = serve(stream, &counter) {
                eprintln!("connection: {e}");
            }
        });
    }
    Ok(())
}

fn serve(mut stream: TcpStream, counter: &Counter) -> std::io::Result<()> {
    let mut buf = [0u8; 8192];
    let mut len = 0;
    loop {
        let n = stream.read(&mut buf[len..])?;
        if n == 0 {
            return Ok(());
        }
        len += n;
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf[..len]) {
            Ok(httparse::Status::Complete(_)) => {
                let (status, body) = route(req.method.unwrap_or(""), req.path.unwrap_or(""), counter);
                return respond(&mut stream, status, &body);
            }
            Ok(httparse::Status::Partial) if len < buf.len() => continue,
            _ => return respond(&mut stream, "400 Bad Request", "bad request\n"),
        }
    }
}

fn route(method: &str, path: &str, counter: &Counter) -> (&'static str, String) {
    match (method, path) {
        ("GET", "/health") => ("200 OK", "ok\n".to_string()),
        ("GET", "/stats") => ("200 OK", counter.to_json()),
        ("POST", p) if p.starts_with("/visit/") => {
            let page = percent_decode_str(&p["/visit".len()..]).decode_utf8_lossy();
            ("200 OK", format!("{}\n", counter.record(&page)))
        }
        _ => ("404 Not Found", "not found\n".to_string()),
    }
}

fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}
