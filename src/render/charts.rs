//! Inline SVG charts for the dashboard, drawn in Rust at build time: no chart script, no
//! external origin, and the same data always gives the same bytes (coordinates are printed
//! with one decimal, series in the order given).
//!
//! Every chart is an `<svg role="img">` with a `<title>` and its numbers written as text, so
//! it reads without colours and prints; the colours are presentation attributes that the
//! stylesheet may override through the classes (`chart-bar`, `chart-series-N`, …).

use std::fmt::Write as _;

/// Width of every chart in SVG units (the page scales it; see `.chart` in kitei.css).
pub const WIDTH: f64 = 480.0;
const FONT: f64 = 12.0;
const ROW: f64 = 24.0;
const BAR: f64 = 15.0;

/// Fill colours of the series of a stacked chart (severity 0–3), and of single bars.
pub const SERIES_COLOURS: [&str; 4] = ["#8c959f", "#4f8fd6", "#e09b2d", "#cf222e"];
const BAR_COLOUR: &str = "#0b5cad";
const GRID: &str = "#d0d7de";
const TEXT: &str = "#1b1f24";
const MUTED: &str = "#57606a";
/// A white outline under text, so that a marker line crossing it does not hide it.
const HALO: &str = "stroke=\"#fff\" stroke-width=\"3\" style=\"paint-order:stroke\"";
/// Width of the column chart (a wide axis of months).
pub const WIDE: f64 = 720.0;

/// One bar of a horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The value as shown beside the bar (`3`, `2時間5分`).
    pub text: String,
}

/// A vertical reference line (a mean) across a bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub value: f64,
    pub text: String,
}

/// One column of a stacked column chart: its label and one value per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: String,
    pub values: Vec<u32>,
    /// Whether the label is printed under the column (long axes print every few).
    pub show_label: bool,
}

pub use crate::text::escape_html as esc;

/// Approximate rendered width of `s` at `font` units: wide (CJK) characters one em, others
/// about 0.6 em. Used only to leave room for labels.
pub fn text_width(s: &str, font: f64) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.6 } else { 1.0 })
        .sum::<f64>()
        * font
}

/// Shortens `s` to at most `max` units wide at `font`, with an ellipsis.
fn fit(s: &str, max: f64, font: f64) -> String {
    if text_width(s, font) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if text_width(&out, font) + text_width(&format!("{c}…"), font) > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn open_svg(out: &mut String, id: &str, title: &str, width: f64, height: f64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-labelledby=\"{id}-title\" \
         font-size=\"{FONT:.0}\" fill=\"{TEXT}\"><title id=\"{id}-title\">{}</title>",
        esc(title)
    );
}

/// A horizontal bar chart: one row per bar, label on the left, value text after the bar,
/// optionally a dashed marker line (a mean) with its text above the plot.
pub fn bars(id: &str, title: &str, rows: &[Bar], marker: Option<&Marker>) -> String {
    let top = if marker.is_some() { 20.0 } else { 4.0 };
    let height = top + ROW * rows.len().max(1) as f64 + 4.0;
    let label_w = rows
        .iter()
        .map(|b| text_width(&b.label, FONT))
        .fold(0.0, f64::max)
        .min(WIDTH * 0.4);
    let value_w = rows
        .iter()
        .map(|b| text_width(&b.text, FONT))
        .fold(0.0, f64::max)
        + 8.0;
    let x0 = label_w + 8.0;
    let plot = (WIDTH - x0 - value_w).max(40.0);
    let max = rows
        .iter()
        .map(|b| b.value)
        .chain(marker.map(|m| m.value))
        .fold(0.0, f64::max);
    let scale = |v: f64| if max > 0.0 { (v / max) * plot } else { 0.0 };
    let mut out = String::new();
    open_svg(&mut out, id, title, WIDTH, height);
    let _ = write!(
        out,
        "<line x1=\"{x0:.1}\" y1=\"{top:.1}\" x2=\"{x0:.1}\" y2=\"{:.1}\" stroke=\"{GRID}\"/>",
        height - 4.0
    );
    for (i, b) in rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let w = scale(b.value);
        let label = fit(&b.label, label_w, FONT);
        let _ = write!(
            out,
            "<g class=\"chart-row\"><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"chart-bar\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{BAR:.1}\" fill=\"{BAR_COLOUR}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{MUTED}\" {HALO}>{}</text></g>",
            x0 - 6.0,
            y + ROW / 2.0 + FONT / 3.0,
            esc(&label),
            y + (ROW - BAR) / 2.0,
            x0 + w + 4.0,
            y + ROW / 2.0 + FONT / 3.0,
            esc(&b.text),
        );
    }
    if let Some(m) = marker {
        let x = x0 + scale(m.value);
        let anchor = if x > WIDTH * 0.7 { "end" } else { "start" };
        let _ = write!(
            out,
            "<g class=\"chart-marker\"><line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{TEXT}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-weight=\"bold\" {HALO}>{}</text></g>",
            top - 4.0,
            height - 2.0,
            top - 7.0,
            esc(&m.text),
        );
    }
    out.push_str("</svg>");
    out
}

/// A stacked column chart [`WIDE`] units wide with a legend: `series` names the stacks
/// (bottom first), coloured with [`SERIES_COLOURS`]; integer gridlines on the left; each
/// column's total above it.
pub fn columns(id: &str, title: &str, series: &[String], cols: &[Column]) -> String {
    const WIDTH: f64 = WIDE;
    let legend_h = 36.0;
    let axis_w = 26.0;
    let label_h = 20.0;
    let plot_h = 150.0;
    let height = legend_h + plot_h + label_h;
    let max = cols
        .iter()
        .map(|c| c.values.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1);
    let step = (max as f64 / 4.0).ceil().max(1.0) as u32;
    let top_value = step * max.div_ceil(step);
    let y_of = |v: f64| legend_h + plot_h - v / top_value as f64 * plot_h;
    let slot = (WIDTH - axis_w) / cols.len().max(1) as f64;
    let col_w = (slot * 0.7).max(2.0);
    let mut out = String::new();
    open_svg(&mut out, id, title, WIDTH, height);
    // Legend.
    let mut lx = axis_w;
    for (i, name) in series.iter().enumerate() {
        let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
        let _ = write!(
            out,
            "<g class=\"chart-legend\"><rect class=\"chart-series-{i}\" x=\"{lx:.1}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"14.5\">{}</text></g>",
            lx + 16.0,
            esc(name)
        );
        lx += 16.0 + text_width(name, FONT) + 14.0;
    }
    // Gridlines with their values.
    let mut v = 0;
    while v <= top_value {
        let y = y_of(v as f64);
        let _ = write!(
            out,
            "<line x1=\"{axis_w:.1}\" y1=\"{y:.1}\" x2=\"{WIDTH:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{MUTED}\">{v}</text>",
            axis_w - 4.0,
            y + FONT / 3.0
        );
        v += step;
    }
    for (i, c) in cols.iter().enumerate() {
        let x = axis_w + slot * i as f64 + (slot - col_w) / 2.0;
        let mut base = 0u32;
        let total: u32 = c.values.iter().sum();
        let _ = write!(out, "<g class=\"chart-column\">");
        if total > 0 {
            let _ = write!(out, "<title>{}: {total}</title>", esc(&c.label));
        }
        for (s, &n) in c.values.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let (y1, y2) = (y_of((base + n) as f64), y_of(base as f64));
            let colour = SERIES_COLOURS[s % SERIES_COLOURS.len()];
            let _ = write!(
                out,
                "<rect class=\"chart-series-{s}\" x=\"{x:.1}\" y=\"{y1:.1}\" width=\"{col_w:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
                y2 - y1
            );
            base += n;
        }
        if total > 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{total}</text>",
                x + col_w / 2.0,
                y_of(total as f64) - 3.0
            );
        }
        out.push_str("</g>");
        if c.show_label {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{MUTED}\" font-size=\"10\">{}</text>",
                (x + col_w / 2.0).clamp(20.0, WIDTH - 20.0),
                legend_h + plot_h + 14.0,
                esc(&c.label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: format!("{value}"),
        }
    }

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars(
            "c",
            "件数 <by type>",
            &[bar("a&b", 2.0), bar("malware", 4.0)],
            None,
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title id=\"c-title\">件数 &lt;by type&gt;</title>"));
        assert!(svg.contains(">a&amp;b</text>"));
        // Two bars; the larger one fills the plot, the smaller half of it.
        let widths: Vec<f64> = svg
            .match_indices("class=\"chart-bar\"")
            .map(|(i, _)| {
                let w = &svg[i..];
                let start = w.find("width=\"").unwrap() + 7;
                w[start..start + w[start..].find('"').unwrap()]
                    .parse()
                    .unwrap()
            })
            .collect();
        assert_eq!(widths.len(), 2);
        assert!((widths[1] - 2.0 * widths[0]).abs() < 0.2, "{widths:?}");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn same_input_same_bytes() {
        let rows = [bar("INC-1", 1.5), bar("INC-2", 0.25)];
        let m = Marker {
            value: 0.875,
            text: "平均".into(),
        };
        assert_eq!(
            bars("d", "t", &rows, Some(&m)),
            bars("d", "t", &rows, Some(&m))
        );
        let cols = vec![Column {
            label: "2026-01".into(),
            values: vec![0, 1, 2, 0],
            show_label: true,
        }];
        let series: Vec<String> = (0..4).map(|i| i.to_string()).collect();
        let a = columns("m", "t", &series, &cols);
        assert_eq!(a, columns("m", "t", &series, &cols));
        assert!(a.contains(">3</text>"), "column total: {a}");
        assert_eq!(
            a.matches("<rect class=\"chart-series-").count(),
            4 + 2,
            "legend + two stacks"
        );
    }

    #[test]
    fn empty_charts_do_not_divide_by_zero() {
        assert!(!bars("e", "t", &[], None).contains("NaN"));
        assert!(!columns("e", "t", &[], &[]).contains("NaN"));
        assert!(
            !bars(
                "e",
                "t",
                &[bar("x", 0.0)],
                Some(&Marker {
                    value: 0.0,
                    text: "0".into()
                })
            )
            .contains("NaN")
        );
    }

    #[test]
    fn long_labels_are_shortened() {
        let long = "とても長いインシデント種別の名前がここに入る";
        let svg = bars("l", "t", &[bar(long, 1.0)], None);
        assert!(svg.contains('…'));
        assert!(text_width("ab", 10.0) < text_width("あい", 10.0));
    }
}
