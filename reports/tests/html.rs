//! The HTML report: its structure (a normalised outline, not the SVG bytes), that it is
//! well-formed, that every chart is a valid SVG with labelled axes and a legend, that text from
//! the result cannot inject markup, and (where chromium is installed) that it renders.

use std::collections::BTreeMap;

use copybench_reports::{render, Format};
use copybench_result::RunResult;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use copybench_testkit::results::result as fixture;

fn html(results: &[RunResult]) -> String {
    render(results, Format::Html).expect("the HTML report")
}

fn name_of(element: &BytesStart) -> String {
    String::from_utf8_lossy(element.name().as_ref()).into_owned()
}

fn attributes_of(element: &BytesStart) -> BTreeMap<String, String> {
    element
        .attributes()
        .map(|a| {
            let a = a.expect("a well-formed attribute");
            (
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .expect("an attribute value with known entities")
                    .into_owned(),
            )
        })
        .collect()
}

/// An element of the parsed page, with its text (entities resolved) and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn all_text(&self) -> String {
        let mut text = self.text.clone();
        for child in &self.children {
            text.push_str(&child.all_text());
        }
        text
    }

    fn find_all<'a>(&'a self, name: &str, found: &mut Vec<&'a Node>) {
        if self.name == name {
            found.push(self);
        }
        for child in &self.children {
            child.find_all(name, found);
        }
    }

    fn class(&self) -> &str {
        self.attributes.get("class").map_or("", String::as_str)
    }
}

/// Parses `document` as XML: every element closed and properly nested, only XML's five named
/// entities, attributes well formed. Panics with the position of the first error.
fn parse(document: &str) -> Node {
    let mut reader = Reader::from_str(document);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let event = reader.read_event().unwrap_or_else(|e| {
            panic!("not well-formed at byte {}: {e}", reader.buffer_position())
        });
        match event {
            Event::Start(start) => stack.push(Node {
                name: name_of(&start),
                attributes: attributes_of(&start),
                ..Node::default()
            }),
            Event::Empty(empty) => {
                let node = Node {
                    name: name_of(&empty),
                    attributes: attributes_of(&empty),
                    ..Node::default()
                };
                stack.last_mut().unwrap().children.push(node);
            }
            Event::End(end) => {
                let node = stack.pop().unwrap();
                assert_eq!(
                    node.name.as_bytes(),
                    end.name().as_ref(),
                    "mismatched end tag"
                );
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Text(text) => {
                let text = text.decode().expect("UTF-8 text");
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().expect("an entity name");
                let resolved = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    "#39" => "'",
                    other => panic!("entity &{other}; is not one XML knows"),
                };
                stack.last_mut().unwrap().text.push_str(resolved);
            }
            Event::DocType(_) | Event::Comment(_) | Event::Decl(_) => {}
            Event::CData(_) | Event::PI(_) => panic!("unexpected CDATA or processing instruction"),
            Event::Eof => break,
        }
    }
    assert_eq!(
        stack.len(),
        1,
        "unclosed elements: {:?}",
        stack.iter().map(|n| &n.name).collect::<Vec<_>>()
    );
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

/// A normalised outline of the page for snapshots: landmarks, headings, figures (by chart
/// class), tables (by header and row count), warning boxes; SVG content left out.
fn outline(node: &Node, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let mut next = depth + 1;
    match node.name.as_str() {
        "html" | "head" | "body" | "main" | "header" | "nav" | "footer" => {
            out.push_str(&format!("{indent}{}\n", node.name));
        }
        "title" | "h1" | "h2" | "h3" | "h4" | "h5" => {
            out.push_str(&format!("{indent}{}: {}\n", node.name, node.all_text()));
            return;
        }
        "section" => {
            let id = node.attributes.get("id").map_or("", String::as_str);
            out.push_str(&format!("{indent}section#{id} {}\n", node.class()));
        }
        "figure" => {
            let mut svgs = vec![];
            node.find_all("svg", &mut svgs);
            let svg = svgs.first().map_or("no svg", |s| s.class());
            out.push_str(&format!("{indent}figure.{} > svg.{svg}\n", node.class()));
            return;
        }
        "table" => {
            let mut headers = vec![];
            node.find_all("thead", &mut headers);
            let header = headers
                .first()
                .map(|h| {
                    let mut cells = vec![];
                    h.find_all("th", &mut cells);
                    cells
                        .iter()
                        .map(|c| c.all_text())
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .unwrap_or_default();
            let mut rows = vec![];
            node.find_all("tr", &mut rows);
            out.push_str(&format!(
                "{indent}table.{} [{header}] {} rows\n",
                node.class(),
                rows.len() - headers.len()
            ));
            return;
        }
        "div" if node.class() == "warnings" => {
            let mut items = vec![];
            node.find_all("li", &mut items);
            out.push_str(&format!("{indent}warnings: {} items\n", items.len()));
            return;
        }
        "ul" if !node.class().is_empty() => {
            out.push_str(&format!(
                "{indent}ul.{}: {} items\n",
                node.class(),
                node.children.len()
            ));
            return;
        }
        _ => next = depth,
    }
    for child in &node.children {
        outline(child, next, out);
    }
}

fn outline_of(document: &str) -> String {
    let mut out = String::new();
    outline(&parse(document), 0, &mut out);
    out
}

#[test]
fn structure_of_one_result() {
    insta::assert_snapshot!(outline_of(&html(&[fixture("result.json")])));
}

#[test]
fn structure_of_two_results_compared() {
    let page = html(&[fixture("result.json"), fixture("result-tmpfs.json")]);
    let outline = outline_of(&page);
    assert!(page.contains("different kernel"));
    assert!(page.contains("different filesystems"));
    insta::assert_snapshot!(outline);
}

/// What each chart must say on its axes and in its legend.
fn expected_labels(chart: &str) -> (&'static str, &'static str, &'static str) {
    match chart {
        "speedup" => ("speedup over the reference", "entry", "95% CI"),
        "cpu" => ("CPU time per copy", "entry", "system CPU (median)"),
        "syscalls" => ("syscalls per", "entry", "(stat family)"),
        "latency" => ("latency of one file", "entry", "p99"),
        "distribution" => ("wall time of one copy", "entry", "outlier (MAD), kept"),
        "comparison" => ("speedup over the scenario", "entry", "#2 bench-2"),
        other => panic!("unknown chart {other}"),
    }
}

#[test]
fn every_chart_is_a_valid_svg_with_labelled_axes_and_a_legend() {
    let page = html(&[fixture("result.json"), fixture("result-tmpfs.json")]);
    let root = parse(&page);
    let mut figures = vec![];
    root.find_all("figure", &mut figures);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for figure in &figures {
        let chart = figure.class().trim_start_matches("chart ").to_string();
        let svg = figure
            .children
            .iter()
            .find(|c| c.name == "svg")
            .unwrap_or_else(|| panic!("figure {chart} holds an svg"));
        assert_eq!(
            svg.attributes.get("xmlns").map(String::as_str),
            Some("http://www.w3.org/2000/svg")
        );
        assert!(svg.attributes.contains_key("viewBox"));
        let mut texts = vec![];
        svg.find_all("text", &mut texts);
        let texts: Vec<String> = texts.iter().map(|t| t.all_text()).collect();
        let (x_axis, y_axis, legend) = expected_labels(&chart);
        for wanted in [x_axis, y_axis, legend] {
            assert!(
                texts.iter().any(|t| t.contains(wanted)),
                "{chart} chart lacks `{wanted}` in {texts:?}"
            );
        }
        let mut shapes = vec![];
        svg.find_all("rect", &mut shapes);
        svg.find_all("circle", &mut shapes);
        assert!(shapes.len() > 3, "{chart} chart draws its data");
        *seen.entry(chart).or_default() += 1;
    }
    // Per result: two scenarios with speedup, CPU, syscalls, distribution; latency for the tree.
    // Plus one comparison chart per scenario.
    let expected: BTreeMap<String, usize> = [
        ("comparison", 2),
        ("cpu", 4),
        ("distribution", 4),
        ("latency", 2),
        ("speedup", 4),
        ("syscalls", 4),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(seen, expected);
}

#[test]
fn speedup_chart_names_every_entry_and_marks_the_reference() {
    let page = html(&[fixture("result.json")]);
    let root = parse(&page);
    let mut svgs = vec![];
    root.find_all("svg", &mut svgs);
    let speedup = svgs
        .iter()
        .find(|s| s.class() == "chart-speedup")
        .expect("a speedup chart");
    let text = speedup.all_text();
    for entry in [
        "buffered-64k (reference)",
        "sendfile",
        "copy_file_range",
        "peer:cp",
    ] {
        assert!(text.contains(entry), "{entry} missing from {text}");
    }
    assert!(text.contains("1.26× [1.19, 1.31]"), "{text}");
    assert!(text.contains("1.0 = as fast as the reference"));
}

#[test]
fn the_page_is_self_contained() {
    let page = html(&[fixture("result.json")]);
    for forbidden in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!page.contains(forbidden), "the page contains {forbidden}");
    }
    let root = parse(&page);
    let mut links = vec![];
    root.find_all("a", &mut links);
    assert!(!links.is_empty());
    for link in links {
        let href = &link.attributes["href"];
        assert!(href.starts_with('#'), "link {href} leaves the page");
    }
}

#[test]
fn text_from_the_result_cannot_inject_markup() {
    let mut result = fixture("result.json");
    let scenario = &mut result.scenarios[0];
    scenario.name = "evil \"name\" & <b>bold</b>".into();
    scenario.warnings = vec!["<script>alert(1)</script>".into()];
    scenario.entries[1].id = "<img src=x onerror=alert(1)>".into();
    scenario.skipped[0].reason = "' onmouseover='alert(1)".into();
    if let Some(matrix) = &mut scenario.conformance {
        matrix.cells[0].detail = Some("\"><script>alert(2)</script>".into());
    }
    result.environment.cpu_model = Some("</td></tr></table><script>x</script>".into());
    let page = html(&[result]);
    assert!(!page.contains("<script"));
    assert!(!page.contains("<img"));
    assert!(!page.contains("<b>"));
    let root = parse(&page);
    let text = root.all_text();
    assert!(
        text.contains("<script>alert(1)</script>"),
        "the warning is shown as text"
    );
    assert!(text.contains("evil \"name\" & <b>bold</b>"));
    let mut cells = vec![];
    root.find_all("td", &mut cells);
    assert!(cells.iter().any(|c| c
        .attributes
        .get("title")
        .is_some_and(|t| t.contains("\"><script>alert(2)</script>"))));
}

#[test]
fn conformance_matrix_has_every_case_and_subject_with_a_legend() {
    let result = fixture("result.json");
    let page = html(std::slice::from_ref(&result));
    let root = parse(&page);
    let mut tables = vec![];
    root.find_all("table", &mut tables);
    let matrices: Vec<&&Node> = tables
        .iter()
        .filter(|t| t.class() == "conformance")
        .collect();
    assert_eq!(matrices.len(), 2);
    let matrix = &result.scenarios[0].conformance.as_ref().unwrap();
    let mut cells = vec![];
    matrices[0].find_all("td", &mut cells);
    assert_eq!(cells.len(), matrix.cases.len() * matrix.subjects.len());
    let failing: Vec<&&Node> = cells
        .iter()
        .filter(|c| c.class() == "verdict fail")
        .collect();
    assert_eq!(failing.len(), 1);
    assert!(failing[0].attributes["title"].contains("called twice"));
    for verdict in ["pass", "fail", "unsupported", "skipped"] {
        assert!(
            cells
                .iter()
                .any(|c| c.class() == format!("verdict {verdict}")),
            "{verdict}"
        );
    }
    let mut legends = vec![];
    root.find_all("ul", &mut legends);
    let legend = legends
        .iter()
        .find(|l| l.class() == "legend")
        .expect("a legend")
        .all_text();
    for word in ["pass", "fail", "unsupported", "skipped", "oracle"] {
        assert!(legend.contains(word), "legend lacks {word}");
    }
}

#[test]
fn cold_cache_samples_that_stayed_cached_are_called_out() {
    let mut result = fixture("result.json");
    let scenario = &mut result.scenarios[0];
    scenario.parameters.cache = "cold".into();
    for sample in &mut scenario.entries[2].samples {
        sample.cache_evicted = Some(sample.round != 3);
    }
    let page = html(&[result]);
    assert!(page.contains(
        "copy_file_range: in 1 of 7 cold-cache samples the source&#39;s pages were still cached"
    ));
    assert!(page.contains("readinto-1m: 1 of 7 samples flagged as outliers (MAD rule)"));
}

/// Headless chromium, or `None` (with the reason printed) when it is not installed. Under
/// `CI=true` a missing chromium fails the test instead: CI installs it (`.ci/run`).
fn chromium() -> Option<std::path::PathBuf> {
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find_map(|program| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(program))
                    .find(|path| path.is_file())
            })
        });
    if found.is_none() {
        copybench_testkit::skip("`chromium` not found (install the Debian package `chromium`)");
    }
    found
}

/// Runs headless chromium on `page` (a file in `dir`) with `args`, and returns its stdout.
fn run_chromium(
    chromium: &std::path::Path,
    dir: &std::path::Path,
    page: &std::path::Path,
    args: &[String],
) -> String {
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    let stdout = child.stdout.take().expect("chromium's stdout");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status.success(), "chromium failed: {status}");
    reader.join().expect("chromium's output")
}

/// Renders the page in headless chromium and checks the screenshot shows something.
#[test]
fn chromium_renders_the_page() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let screenshot = dir.path().join("report.png");
    std::fs::write(&page, html(&[fixture("result.json")])).unwrap();
    run_chromium(
        &chromium,
        dir.path(),
        &page,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1200,2000".to_string(),
        ],
    );

    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&screenshot).expect("a screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
    let frame = reader.next_frame(&mut pixels).expect("PNG pixels");
    assert_eq!((frame.width, frame.height), (1200, 2000));
    let channels = frame.color_type.samples();
    let pixels = &pixels[..frame.buffer_size()];
    let background = &pixels[..channels];
    let differing = pixels
        .chunks(channels)
        .filter(|pixel| *pixel != background)
        .count();
    let colours: std::collections::BTreeSet<&[u8]> = pixels.chunks(channels).collect();
    let total = (frame.width * frame.height) as usize;
    assert!(
        differing * 20 > total,
        "only {differing} of {total} pixels differ from the background: a blank page?"
    );
    assert!(
        colours.len() > 50,
        "only {} colours: charts did not render?",
        colours.len()
    );
}

/// At 1400 px the page never scrolls sideways and no table, chart or box sticks out of the
/// main column (where the page itself would not scroll, a screenshot or a printout would still
/// cut it off). The report runs no script, so a copy of it gets one that measures the layout
/// and writes what it found into the title, which `--dump-dom` prints.
#[test]
fn at_1400_px_nothing_scrolls_sideways() {
    let Some(chromium) = chromium() else {
        return;
    };
    const MEASURE: &str = r#"<script>
window.addEventListener("load", () => {
  const root = document.documentElement;
  const right = document.querySelector("main").getBoundingClientRect().right + 1;
  const wide = [...document.querySelectorAll("main table, main figure, main svg, main pre, main div, main p, main ul")]
    .filter(e => e.getBoundingClientRect().right > right || e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName + "." + (typeof e.className === "string" ? e.className : e.className.baseVal));
  document.title = "measured " + root.scrollWidth + " " + root.clientWidth + " [" + wide.join(",") + "]";
});
</script>"#;
    let dir = tempfile::tempdir().unwrap();
    for (name, results) in [
        ("one", vec![fixture("result.json")]),
        (
            "two",
            vec![fixture("result.json"), fixture("result-tmpfs.json")],
        ),
    ] {
        let page = dir.path().join(format!("{name}.html"));
        let report = html(&results);
        assert!(!report.contains("<script"));
        std::fs::write(
            &page,
            report.replacen("</body>", &format!("{MEASURE}</body>"), 1),
        )
        .unwrap();
        let dom = run_chromium(
            &chromium,
            dir.path(),
            &page,
            &[
                "--dump-dom".to_string(),
                "--window-size=1400,1000".to_string(),
                "--virtual-time-budget=5000".to_string(),
            ],
        );
        let title = dom
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .expect("a title");
        let measured: Vec<&str> = title
            .strip_prefix("measured ")
            .unwrap_or_else(|| panic!("the script did not run: {title}"))
            .splitn(3, ' ')
            .collect();
        assert_eq!(
            measured[0], measured[1],
            "{name}: scroll width ≠ client width: {title}"
        );
        assert_eq!(
            measured[2], "[]",
            "{name}: elements wider than the page: {title}"
        );
    }
}

#[test]
fn degenerate_results_still_render_in_every_format() {
    let mut result = fixture("result.json");
    // A scenario where nothing ran, and one whose reference failed (no speedups, no syscalls).
    let empty = &mut result.scenarios[0];
    let skipped: Vec<_> = empty
        .entries
        .drain(..)
        .map(|e| copybench_result::Skipped {
            id: e.id,
            reason: "strategy unsupported here".into(),
        })
        .collect();
    empty.skipped.extend(skipped);
    empty.conformance = None;
    let tree = &mut result.scenarios[1];
    for entry in &mut tree.entries {
        entry.speedup = None;
        entry.syscalls = None;
        entry.summary.latency = None;
        entry.summary.cpu_s_per_gib = None;
        entry
            .unmeasured
            .insert("speedup".into(), "the reference failed".into());
    }
    tree.entries[0].samples.clear();
    for format in [Format::Terminal, Format::Markdown, Format::Html] {
        let out = render(std::slice::from_ref(&result), format).expect("a report");
        assert!(out.contains("strategy unsupported here"), "{format:?}");
        assert!(out.contains("the reference failed"), "{format:?}");
    }
    let page = html(&[result]);
    let root = parse(&page);
    let mut figures = vec![];
    root.find_all("figure", &mut figures);
    let charts: Vec<&str> = figures.iter().map(|f| f.class()).collect();
    assert_eq!(charts, ["chart cpu", "chart distribution"]);
    assert!(page.contains("No speedups were measured."));
    assert!(page.contains("Conformance was not checked for this scenario."));
}
