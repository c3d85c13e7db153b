//! Word (.docx, OOXML) into blocks: paragraphs with their heading style, the numbers Word
//! draws for automatically numbered lists (computed from `word/numbering.xml`, because they
//! are not in the text), and tables. Read with the zip crate and quick-xml; nothing else of
//! the package (images, comments, headers) is read, and deleted revisions are left out.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::Event;

use super::Block;

/// A small element tree: enough of XML for WordprocessingML (local names only).
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Child>,
}

#[derive(Debug)]
enum Child {
    Element(Element),
    Text(String),
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Child::Element(e) => Some(e),
            Child::Text(_) => None,
        })
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// `w:val` of the child `name`.
    fn val(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|e| e.attr("val"))
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

fn element_from(e: &quick_xml::events::BytesStart) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((local(a.key.as_ref()), value.into_owned()));
    }
    Ok(Element {
        name: local(e.name().as_ref()),
        attrs,
        children: Vec::new(),
    })
}

/// Parses XML into an element tree.
fn parse_xml(xml: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => stack.push(element_from(&e)?),
            Event::Empty(e) => {
                let el = element_from(&e)?;
                if let Some(top) = stack.last_mut() {
                    top.children.push(Child::Element(el));
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced XML")?;
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .children
                    .push(Child::Element(done));
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.children
                        .push(Child::Text(t.xml10_content().into_owned()));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.children
                        .push(Child::Text(t.xml10_content().into_owned()));
                }
            }
            Event::GeneralRef(r) => {
                let text = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .ok()
                        .flatten()
                        .map(String::from)
                        .unwrap_or_default()
                } else {
                    match r.xml10_content().as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    }
                    .to_string()
                };
                if let Some(top) = stack.last_mut() {
                    top.children.push(Child::Text(text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("unclosed XML element".into());
    }
    Ok(stack.pop().unwrap_or_default())
}

/// One level of a numbering definition.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
    /// What follows the number: `tab` (default), `space` or `nothing`.
    suffix: String,
}

/// `word/numbering.xml`: numbering instances (numId) → their levels.
#[derive(Debug, Default)]
struct Numbering {
    nums: HashMap<String, Vec<Level>>,
}

impl Numbering {
    fn read(root: &Element) -> Numbering {
        let Some(numbering) = root.child("numbering") else {
            return Numbering::default();
        };
        let mut abstracts: HashMap<&str, Vec<Level>> = HashMap::new();
        for a in numbering.elements().filter(|e| e.name == "abstractNum") {
            let Some(id) = a.attr("abstractNumId") else {
                continue;
            };
            let mut levels = vec![Level::default(); 9];
            for lvl in a.elements().filter(|e| e.name == "lvl") {
                let Some(i) = lvl.attr("ilvl").and_then(|v| v.parse::<usize>().ok()) else {
                    continue;
                };
                if i < 9 {
                    levels[i] = Level {
                        start: lvl.val("start").and_then(|v| v.parse().ok()).unwrap_or(1),
                        format: lvl.val("numFmt").unwrap_or("decimal").to_string(),
                        text: lvl.val("lvlText").unwrap_or("").to_string(),
                        suffix: lvl.val("suff").unwrap_or("tab").to_string(),
                    };
                }
            }
            abstracts.insert(id, levels);
        }
        let mut nums = HashMap::new();
        for n in numbering.elements().filter(|e| e.name == "num") {
            let (Some(id), Some(abs)) = (n.attr("numId"), n.val("abstractNumId")) else {
                continue;
            };
            let mut levels = abstracts.get(abs).cloned().unwrap_or_default();
            for o in n.elements().filter(|e| e.name == "lvlOverride") {
                let Some(i) = o.attr("ilvl").and_then(|v| v.parse::<usize>().ok()) else {
                    continue;
                };
                if let Some(level) = levels.get_mut(i)
                    && let Some(start) = o.val("startOverride").and_then(|v| v.parse().ok())
                {
                    level.start = start;
                }
            }
            nums.insert(id.to_string(), levels);
        }
        Numbering { nums }
    }
}

/// A number in one of Word's formats.
fn format_number(n: u32, format: &str) -> String {
    const KANA: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";
    const IROHA: &str = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン";
    let nth = |set: &str| {
        set.chars()
            .nth((n as usize).saturating_sub(1) % set.chars().count())
            .map(String::from)
            .unwrap_or_default()
    };
    let full_width = |s: String| {
        s.chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect()
    };
    match format {
        "decimalFullWidth" | "decimalFullWidth2" => full_width(n.to_string()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1)
                .map(String::from)
                .unwrap_or_default()
        }
        "decimalEnclosedParen" if (1..=20).contains(&n) => char::from_u32(0x2474 + n - 1)
            .map(String::from)
            .unwrap_or_default(),
        "aiueo" | "aiueoFullWidth" => nth(KANA),
        "iroha" | "irohaFullWidth" => nth(IROHA),
        "japaneseCounting" | "japaneseLegal" | "ideographTraditional" | "chineseCounting" => {
            kanji(n)
        }
        "ideographDigital" | "japaneseDigitalTenThousand" => n
            .to_string()
            .chars()
            .map(|c| {
                "〇一二三四五六七八九"
                    .chars()
                    .nth(c as usize - '0' as usize)
                    .unwrap_or(c)
            })
            .collect(),
        "lowerLetter" => nth("abcdefghijklmnopqrstuvwxyz"),
        "upperLetter" => nth("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "none" => String::new(),
        _ => n.to_string(),
    }
}

/// 12 → 十二, 105 → 百五.
fn kanji(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return "〇".into();
    }
    let mut out = String::new();
    for (unit, name) in [(1000, "千"), (100, "百"), (10, "十")] {
        let d = (n / unit) % 10;
        if d > 0 {
            if d > 1 {
                out.push_str(D[d as usize]);
            }
            out.push_str(name);
        }
    }
    out.push_str(D[(n % 10) as usize]);
    // 万 and above are not counted in lists; such a number is written in digits.
    if n >= 10000 || out.is_empty() {
        return n.to_string();
    }
    out
}

fn roman(mut n: u32) -> String {
    let mut out = String::new();
    for (v, s) in [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ] {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// What a paragraph style says: its heading level, its numbering (numId, ilvl), the style
/// it is based on.
type StyleInfo = (Option<u8>, Option<(String, usize)>, Option<String>);

/// Styles: heading level and numbering that a paragraph style carries.
#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, StyleInfo>,
}

impl Styles {
    fn read(root: &Element) -> Styles {
        let mut styles = HashMap::new();
        let Some(all) = root.child("styles") else {
            return Styles::default();
        };
        for s in all.elements().filter(|e| e.name == "style") {
            let Some(id) = s.attr("styleId") else {
                continue;
            };
            let name = s.val("name").unwrap_or("").to_lowercase();
            let heading = if name == "title" {
                Some(0)
            } else {
                name.strip_prefix("heading ")
                    .and_then(|n| n.trim().parse::<u8>().ok())
                    .or_else(|| {
                        s.child("pPr")
                            .and_then(|p| p.val("outlineLvl"))
                            .and_then(|v| v.parse::<u8>().ok())
                            .map(|l| l + 1)
                    })
            };
            let numbering = s.child("pPr").and_then(|p| p.child("numPr")).map(|n| {
                (
                    n.val("numId").unwrap_or("0").to_string(),
                    n.val("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0),
                )
            });
            let based_on = s.val("basedOn").map(str::to_string);
            styles.insert(id.to_string(), (heading, numbering, based_on));
        }
        Styles { styles }
    }

    /// (heading level, numbering) of a style, following `basedOn` (a few steps at most).
    fn of(&self, id: &str) -> (Option<u8>, Option<(String, usize)>) {
        let (mut heading, mut numbering) = (None, None);
        let mut current = Some(id.to_string());
        for _ in 0..8 {
            let Some(s) = current.as_ref().and_then(|c| self.styles.get(c)) else {
                break;
            };
            heading = heading.or(s.0);
            numbering = numbering.or_else(|| s.1.clone());
            current = s.2.clone();
        }
        (heading, numbering)
    }
}

/// Running counters of every numbering instance.
#[derive(Default)]
struct Counters {
    counts: HashMap<String, [Option<u32>; 9]>,
}

impl Counters {
    /// The number drawn before a paragraph numbered (numId, ilvl), as Word renders it.
    fn next(
        &mut self,
        numbering: &Numbering,
        num_id: &str,
        ilvl: usize,
    ) -> Option<(String, String)> {
        let levels = numbering.nums.get(num_id)?;
        let ilvl = ilvl.min(8);
        // A num whose abstract numbering is missing draws nothing (Word shows no number).
        if levels.len() <= ilvl {
            return None;
        }
        let counts = self.counts.entry(num_id.to_string()).or_insert([None; 9]);
        counts[ilvl] = Some(match counts[ilvl] {
            Some(n) => n + 1,
            None => levels[ilvl].start,
        });
        for deeper in counts.iter_mut().skip(ilvl + 1) {
            *deeper = None;
        }
        let level = &levels[ilvl];
        if level.format == "bullet" {
            return Some(("・".into(), " ".into()));
        }
        let mut text = level.text.clone();
        for (i, l) in levels.iter().enumerate().take(ilvl + 1) {
            let value = counts[i].unwrap_or(l.start);
            text = text.replace(&format!("%{}", i + 1), &format_number(value, &l.format));
        }
        let suffix = if level.suffix == "nothing" { "" } else { " " };
        Some((text, suffix.into()))
    }
}

/// What a paragraph holds besides its text: text boxes, and the footnotes it refers to
/// (numbered in the order of their first reference, as Word shows them).
#[derive(Default)]
struct Extra {
    boxes: Vec<String>,
    footnote_order: Vec<String>,
}

/// The text of a run container (paragraph, hyperlink, inserted revision …).
fn run_text(e: &Element, out: &mut String, extra: &mut Extra) {
    for c in &e.children {
        let Child::Element(el) = c else {
            continue;
        };
        match el.name.as_str() {
            "t" => {
                for t in &el.children {
                    if let Child::Text(s) = t {
                        out.push_str(s);
                    }
                }
            }
            "tab" | "ptab" => out.push('\t'),
            "br" | "cr" => out.push(' '),
            "noBreakHyphen" => out.push('-'),
            "sym" => {
                if let Some(c) = el
                    .attr("char")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                {
                    out.push(c);
                }
            }
            "footnoteReference" | "endnoteReference" => {
                let id = el.attr("id").unwrap_or("").to_string();
                let n = match extra.footnote_order.iter().position(|i| *i == id) {
                    Some(p) => p + 1,
                    None => {
                        extra.footnote_order.push(id);
                        extra.footnote_order.len()
                    }
                };
                out.push_str(&format!("（注{n}）"));
            }
            // A shape's text (a text box) is not part of the line it is anchored in.
            "drawing" | "pict" => text_boxes(el, extra),
            // Word writes a shape twice (modern and fallback): read the first only.
            "AlternateContent" => {
                if let Some(first) = el.elements().next() {
                    run_text(first, out, extra);
                }
            }
            // Deleted text, field instructions, properties: not the text.
            "del" | "delText" | "instrText" | "pPr" | "rPr" => {}
            _ => run_text(el, out, extra),
        }
    }
}

fn text_boxes(e: &Element, extra: &mut Extra) {
    for el in e.elements() {
        if el.name == "txbxContent" {
            for p in el.elements().filter(|p| p.name == "p") {
                let mut t = String::new();
                run_text(p, &mut t, extra);
                if !t.trim().is_empty() {
                    extra.boxes.push(t.trim().to_string());
                }
            }
        } else {
            text_boxes(el, extra);
        }
    }
}

/// Footnote (or endnote) id → its text, from `word/footnotes.xml` / `word/endnotes.xml`.
fn notes(root: &Element, list: &str, item: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(all) = root.child(list) else {
        return out;
    };
    for note in all.elements().filter(|e| e.name == item) {
        if note.attr("type").is_some_and(|t| t != "normal") {
            continue;
        }
        let mut text = String::new();
        let mut extra = Extra::default();
        for p in note.elements().filter(|e| e.name == "p") {
            let mut t = String::new();
            run_text(p, &mut t, &mut extra);
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(t.trim());
        }
        if let Some(id) = note.attr("id") {
            out.insert(id.to_string(), text.trim().to_string());
        }
    }
    out
}

/// What was moved out of its place, by paragraph position, with a note for the report.
pub type Moved = Vec<(u32, String)>;

/// Reads a .docx file into blocks; `line` of each block is its paragraph's position (1-based).
/// Also returns what was moved, by position: text boxes (kept as paragraphs after the one
/// they are anchored in) and footnotes (kept as paragraphs at the end, `（注N）…`).
pub fn blocks(bytes: &[u8]) -> Result<(Vec<Block>, Moved), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("is not a Word file (not a zip archive: {e})"))?;
    let mut read = |name: &str| -> Result<Option<String>, String> {
        let mut file = match zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(format!("cannot read {name} in it: {e}")),
        };
        // A 300-page regulation is a few MB of XML; refuse what is not a document.
        if file.size() > 256 << 20 {
            return Err(format!("{name} is larger than 256 MB"));
        }
        let mut s = String::new();
        file.read_to_string(&mut s)
            .map_err(|e| format!("cannot read {name} in it: {e}"))?;
        Ok(Some(s))
    };
    let document = read("word/document.xml")?
        .ok_or("is not a Word document (no word/document.xml; is it an .xlsx or .pptx?)")?;
    let numbering = match read("word/numbering.xml")? {
        Some(x) => Numbering::read(&parse_xml(&x).map_err(|e| format!("word/numbering.xml: {e}"))?),
        None => Numbering::default(),
    };
    let styles = match read("word/styles.xml")? {
        Some(x) => Styles::read(&parse_xml(&x).map_err(|e| format!("word/styles.xml: {e}"))?),
        None => Styles::default(),
    };
    let mut footnotes = HashMap::new();
    for (file, list, item) in [
        ("word/footnotes.xml", "footnotes", "footnote"),
        ("word/endnotes.xml", "endnotes", "endnote"),
    ] {
        if let Some(x) = read(file)? {
            let root = parse_xml(&x).map_err(|e| format!("{file}: {e}"))?;
            footnotes.extend(notes(&root, list, item));
        }
    }
    let root = parse_xml(&document).map_err(|e| format!("word/document.xml: {e}"))?;
    let body = root
        .child("document")
        .and_then(|d| d.child("body"))
        .ok_or("word/document.xml has no body")?;
    let mut reader = Reader {
        numbering,
        styles,
        counters: Counters::default(),
        out: Vec::new(),
        position: 0,
        extra: Extra::default(),
        moved: Vec::new(),
    };
    reader.container(body);
    // Footnotes at the end, in the order of their first reference.
    let order = std::mem::take(&mut reader.extra.footnote_order);
    for (i, id) in order.iter().enumerate() {
        let text = footnotes.get(id).cloned().unwrap_or_default();
        reader.position += 1;
        reader.moved.push((
            reader.position,
            format!("footnote （注{}） moved to the end of the document", i + 1),
        ));
        reader.out.push(Block::Line {
            text: format!("（注{}）{text}", i + 1),
            indent: 0,
            line: reader.position,
            heading: None,
        });
    }
    Ok((reader.out, reader.moved))
}

struct Reader {
    numbering: Numbering,
    styles: Styles,
    counters: Counters,
    out: Vec<Block>,
    position: u32,
    extra: Extra,
    moved: Moved,
}

impl Reader {
    fn container(&mut self, e: &Element) {
        for el in e.elements() {
            match el.name.as_str() {
                "p" => self.paragraph(el),
                "tbl" => self.table(el),
                // Content controls and custom XML wrap paragraphs.
                "sdt" | "sdtContent" | "customXml" | "ins" => self.container(el),
                _ => {}
            }
        }
    }

    fn paragraph(&mut self, p: &Element) {
        self.position += 1;
        let ppr = p.child("pPr");
        let style = ppr.and_then(|p| p.val("pStyle")).unwrap_or("");
        let (heading, style_numbering) = self.styles.of(style);
        let own = ppr.and_then(|p| p.child("numPr")).map(|n| {
            (
                n.val("numId").unwrap_or("0").to_string(),
                n.val("ilvl").and_then(|v| v.parse().ok()),
            )
        });
        let numbered = match (own, style_numbering) {
            (Some((id, ilvl)), style) => {
                Some((id, ilvl.or(style.as_ref().map(|s| s.1)).unwrap_or(0)))
            }
            (None, style) => style,
        };
        let mut text = String::new();
        run_text(p, &mut text, &mut self.extra);
        let boxes = std::mem::take(&mut self.extra.boxes);
        let mut indent = 0;
        if let Some((num_id, ilvl)) = numbered.filter(|(id, _)| id != "0")
            && let Some((number, suffix)) = self.counters.next(&self.numbering, &num_id, ilvl)
        {
            text = format!("{number}{suffix}{text}");
            indent = ilvl * 4;
        }
        let text = text.trim().to_string();
        let at = self.position;
        if text.is_empty() {
            self.out.push(Block::Blank);
        } else {
            self.out.push(Block::Line {
                text,
                indent,
                line: at,
                heading: heading.map(|h| (h + 1).min(6)),
            });
        }
        for b in boxes {
            self.moved.push((
                at,
                format!("a text box in paragraph {at}, kept as a paragraph after it: {b}"),
            ));
            self.out.push(Block::Line {
                text: b,
                indent: 0,
                line: at,
                heading: None,
            });
        }
    }

    fn table(&mut self, tbl: &Element) {
        self.position += 1;
        let line = self.position;
        let mut rows = Vec::new();
        for tr in tbl.elements().filter(|e| e.name == "tr") {
            let mut row = Vec::new();
            for tc in tr.elements().filter(|e| e.name == "tc") {
                let mut cell = String::new();
                for p in tc.elements().filter(|e| e.name == "p") {
                    let mut t = String::new();
                    run_text(p, &mut t, &mut self.extra);
                    if !cell.is_empty() && !t.trim().is_empty() {
                        cell.push(' ');
                    }
                    cell.push_str(t.trim());
                }
                row.push(cell);
            }
            if row.iter().any(|c| !c.is_empty()) {
                rows.push(row);
            }
        }
        if !rows.is_empty() {
            self.out.push(Block::Table { rows, line });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_number_formats() {
        assert_eq!(format_number(3, "decimal"), "3");
        assert_eq!(format_number(12, "decimalFullWidth"), "１２");
        assert_eq!(format_number(2, "decimalEnclosedCircle"), "②");
        assert_eq!(format_number(1, "decimalEnclosedParen"), "⑴");
        assert_eq!(format_number(3, "aiueoFullWidth"), "ウ");
        assert_eq!(format_number(2, "iroha"), "ロ");
        assert_eq!(format_number(12, "japaneseCounting"), "十二");
        assert_eq!(format_number(4, "lowerRoman"), "iv");
        assert_eq!(format_number(2, "lowerLetter"), "b");
        assert_eq!(format_number(105, "japaneseCounting"), "百五");
        assert_eq!(format_number(10000, "japaneseCounting"), "10000");
    }

    #[test]
    fn counters_follow_levels_and_restart_below() {
        let xml = r#"<w:numbering xmlns:w="x">
            <w:abstractNum w:abstractNumId="1">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
              <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="（%3）"/><w:suff w:val="nothing"/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>
          </w:numbering>"#;
        let numbering = Numbering::read(&parse_xml(xml).unwrap());
        let mut c = Counters::default();
        let mut next = |l| c.next(&numbering, "5", l).map(|(n, s)| format!("{n}{s}"));
        assert_eq!(next(0).unwrap(), "1. ");
        assert_eq!(next(1).unwrap(), "1.1 ");
        assert_eq!(next(1).unwrap(), "1.2 ");
        assert_eq!(next(2).unwrap(), "（１）");
        assert_eq!(next(0).unwrap(), "2. ");
        assert_eq!(next(1).unwrap(), "2.1 ");
    }

    #[test]
    fn text_of_runs_skips_deleted_text() {
        let p = parse_xml(
            r#"<w:p xmlns:w="x"><w:r><w:t>報告&amp;対応</w:t></w:r><w:del><w:r><w:delText>削除</w:delText></w:r></w:del><w:ins><w:r><w:tab/><w:t xml:space="preserve">追加 </w:t></w:r></w:ins></w:p>"#,
        )
        .unwrap();
        let mut s = String::new();
        run_text(p.child("p").unwrap(), &mut s, &mut Extra::default());
        assert_eq!(s, "報告&対応\t追加 ");
    }

    #[test]
    fn not_a_word_file() {
        assert!(blocks(b"plain text").unwrap_err().contains("not a zip"));
    }

    #[test]
    fn text_boxes_once_and_footnote_marks() {
        let p = parse_xml(
            r#"<w:p xmlns:w="x" xmlns:mc="m"><w:r><w:t>本文</w:t></w:r><w:r><w:footnoteReference w:id="7"/></w:r><w:r><mc:AlternateContent><mc:Choice><w:drawing><w:txbxContent><w:p><w:r><w:t>囲み</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>囲み</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
        )
        .unwrap();
        let (mut s, mut extra) = (String::new(), Extra::default());
        run_text(p.child("p").unwrap(), &mut s, &mut extra);
        assert_eq!(s, "本文（注1）");
        assert_eq!(extra.boxes, ["囲み"]);
        assert_eq!(extra.footnote_order, ["7"]);
    }

    fn docx(files: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn footnotes_go_to_the_end_and_are_listed() {
        let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
        let bytes = docx(&[
            (
                "word/document.xml",
                &format!(
                    r#"<w:document {w}><w:body><w:p><w:r><w:t>第1条 報告する</w:t></w:r><w:r><w:footnoteReference w:id="2"/></w:r></w:p><w:p/></w:body></w:document>"#
                ),
            ),
            (
                "word/footnotes.xml",
                &format!(
                    r#"<w:footnotes {w}><w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote><w:footnote w:id="2"><w:p><w:r><w:t>24時間以内</w:t></w:r></w:p></w:footnote></w:footnotes>"#
                ),
            ),
        ]);
        let (read, moved) = blocks(&bytes).unwrap();
        let lines: Vec<&str> = read
            .iter()
            .filter_map(|b| match b {
                Block::Line { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(lines, ["第1条 報告する（注1）", "（注1）24時間以内"]);
        assert_eq!(moved.len(), 1);
        assert!(moved[0].1.contains("footnote"));
        assert!(
            blocks(&docx(&[("xl/workbook.xml", "<x/>")]))
                .unwrap_err()
                .contains("xlsx")
        );
    }

    #[test]
    fn broken_word_files_are_errors_not_panics() {
        let w = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
        let doc = format!(
            r#"<w:document {w}><w:body><w:p><w:pPr><w:numPr><w:ilvl w:val="12"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>項目</w:t></w:r></w:p></w:body></w:document>"#
        );
        // numId 3 points at an abstract numbering that does not exist; ilvl beyond 8.
        let numbering = format!(
            r#"<w:numbering {w}><w:num w:numId="3"><w:abstractNumId w:val="9"/></w:num></w:numbering>"#
        );
        let good = docx(&[
            ("word/document.xml", &doc),
            ("word/numbering.xml", &numbering),
        ]);
        let (read, _) = blocks(&good).unwrap();
        assert!(matches!(&read[0], Block::Line { text, .. } if text == "項目"));
        for cut in [10, good.len() / 2, good.len() - 10] {
            assert!(blocks(&good[..cut]).is_err(), "cut at {cut}");
        }
        let unbalanced = docx(&[("word/document.xml", "<w:document><w:body><w:p>")]);
        assert!(blocks(&unbalanced).is_err());
    }
}
