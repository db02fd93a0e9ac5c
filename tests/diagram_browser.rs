//! The SVG diagram as a real browser draws it: `nzc diagram --format svg`
//! for `schema.nzc`, rendered by headless Chromium (Debian's `chromium`,
//! installed by `.ci/run`; `$NZC_CHROMIUM` overrides the binary) to a PNG at
//! the SVG's own size, in the light and the dark colour scheme. The PNG must
//! have the SVG's size and not be blank: most of it background, but boxes,
//! lines and text in other colours covering a real share of it.

#[path = "support/cli.rs"]
mod cli;
mod common;

use cli::{nzc, ok, repo};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    let path = std::env::var_os("NZC_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromium"));
    let works = Command::new(&path)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        works,
        "headless Chromium is needed ({}): `apt-get install chromium` (or set NZC_CHROMIUM)",
        path.display()
    );
    path
}

/// The `width` and `height` attributes of the root element, in pixels.
fn svg_size(svg: &str) -> (u32, u32) {
    let root = &svg[svg.find("<svg").expect("an <svg> element")..];
    let root = &root[..root.find('>').expect("the end of <svg …>")];
    let attr = |name: &str| -> u32 {
        let at = root
            .find(&format!(" {name}=\""))
            .unwrap_or_else(|| panic!("<svg> has no {name}: {root}"));
        let value = &root[at + name.len() + 3..];
        let value = &value[..value.find('"').unwrap()];
        value
            .trim_end_matches("px")
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("{name}={value:?}"))
            .ceil() as u32
    };
    (attr("width"), attr("height"))
}

/// Renders `svg_file` with Chromium into `png_file`; returns (width, height,
/// RGB(A) pixels, bytes per pixel).
fn screenshot(
    svg_file: &Path,
    png_file: &Path,
    size: (u32, u32),
    dark: bool,
) -> (u32, u32, Vec<u8>, usize) {
    let profile = tempfile::tempdir().expect("a Chromium profile directory");
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--force-device-scale-factor=1",
        "--default-background-color=ffffffff",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .arg(format!("--window-size={},{}", size.0, size.1))
    .arg(format!("--screenshot={}", png_file.display()));
    if dark {
        c.arg("--blink-settings=preferredColorScheme=0");
    }
    let out = c
        .arg(format!("file://{}", svg_file.display()))
        .output()
        .expect("run chromium");
    assert!(
        png_file.is_file(),
        "chromium wrote no screenshot:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_file).unwrap(),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let samples = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf, samples)
}

#[test]
fn chromium_draws_the_schema_diagram() {
    let dir = tempfile::tempdir().unwrap();
    let out = nzc(&repo(), None, &["diagram", "--format", "svg"]);
    let svg = ok(&out);
    let (width, height) = svg_size(&svg);
    assert!(
        width >= 400 && height >= 300,
        "17 tables fit no smaller: {width}×{height}"
    );
    let svg_file = dir.path().join("schema.svg");
    std::fs::write(&svg_file, &svg).unwrap();
    for dark in [false, true] {
        let png_file = dir.path().join(format!("schema-{dark}.png"));
        let (w, h, pixels, samples) = screenshot(&svg_file, &png_file, (width, height), dark);
        assert_eq!((w, h), (width, height), "the screenshot has the SVG's size");
        // The most common colour is the background; what differs from it is ink.
        let mut counts = std::collections::HashMap::new();
        for p in pixels.chunks_exact(samples) {
            *counts.entry([p[0], p[1], p[2]]).or_insert(0usize) += 1;
        }
        let total = (w * h) as usize;
        let background = counts.values().copied().max().unwrap_or(0);
        let ink = total - background;
        assert!(
            counts.len() > 16,
            "a drawing has more than a few colours (dark: {dark}): {}",
            counts.len()
        );
        assert!(
            ink * 100 > total * 3 && background * 100 > total * 20,
            "not blank and not a solid fill (dark: {dark}): {ink} of {total} pixels differ from the background"
        );
    }
}
