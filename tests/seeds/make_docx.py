#!/usr/bin/env python3
"""Makes the Word test inputs of `kitei import` with python-docx (pip install python-docx).

    python3 tests/seeds/make_docx.py [OUT]
    python3 tests/seeds/make_docx.py --long PAGES OUT   # benches/import.sh: a long regulation

writes (under OUT, default: the repository; tests/import.rs regenerates them into a temporary
folder and compares the bytes with the committed files)
- tests/seeds/001_c7091b0a300dafff/source.docx: seed 001 as Word would hold it: clause numbers
  (１, ４．１ …) and the （１） items are Word's automatic numbering (numbering.xml), so they are
  not in the text and kitei must draw them; bullets are automatic too; the table is a table.
- tests/fixtures/import/law-style.docx: a fictional regulation in law style (第1章, a caption
  line above 第1条, items 一 二 and ア イ numbered automatically, ①, a role table, a contact
  table and a severity table) with example.jp addresses and 03-0000-xxxx numbers only.

The files are committed; run this again only to change them. python-docx writes fixed
timestamps into docProps/core.xml only when told to, so the output is made deterministic below.
"""

import datetime
import re
import sys
import zipfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = Path(sys.argv[-1]).resolve() if len(sys.argv) > 1 else ROOT


def abstract_num(numbering, abstract_id, levels):
    """Adds a w:abstractNum with levels [(format, text, suffix)] before the first w:num."""
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:suff w:val="{suff}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i, (fmt, text, suff) in enumerate(levels)
    )
    element = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>'
    )
    first_num = numbering.find(docx.oxml.ns.qn("w:num"))
    if first_num is not None:
        first_num.addprevious(element)
    else:
        numbering.append(element)


def new_list(numbering, abstract_id):
    """A new numbering instance (restarting at 1) of an abstract numbering."""
    num = numbering.add_num(abstract_id)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(1)
    return num.numId


def number(paragraph, num_id, ilvl=0):
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


def fresh_document():
    d = docx.Document()
    numbering = d.part.numbering_part.element
    return d, numbering


def save(d, path):
    props = d.core_properties
    fixed = datetime.datetime(2026, 1, 1)
    props.created = props.modified = fixed
    props.last_printed = fixed
    props.author = props.last_modified_by = "kitei tests"
    props.revision = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(path)
    # Same bytes on every run: rewrite the zip with fixed entry times.
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(f"wrote {path}")


FW = "０１２３４５６７８９"
CLAUSE = re.compile(rf"^([{FW}]+)(?:．([{FW}]+))?\t(.*)$")
ITEM = re.compile(rf"^（[{FW}]+）(.*)$")
BULLET = re.compile(r"^[·・]\s*(.*)$")
CHAPTER = re.compile(r"^第[0-9]+章")


def seed_001_document(lines, chapters=False):
    """Seed 001's text as Word: automatic clause numbers, （１） items and bullets, tables.

    With `chapters`, lines `第N章　…` are chapter headings (Heading 1) and the clause numbers
    restart in each chapter (the benchmark's long regulation)."""
    d, numbering = fresh_document()
    # 91: clause headings １ / ４．１ (full-width, tab after); 92: （１） items; 93: bullets.
    abstract_num(numbering, 91, [("decimalFullWidth", "%1", "tab"), ("decimalFullWidth", "%1．%2", "tab")])
    abstract_num(numbering, 92, [("decimalFullWidth", "（%1）", "nothing")])
    abstract_num(numbering, 93, [("bullet", "・", "space")])
    clauses = numbering.add_num(91).numId
    bullets = numbering.add_num(93).numId
    level = 1 if chapters else 0
    items = None
    i = 0
    title_done = False
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if not title_done:
            d.add_paragraph(line.strip(), style="Title")
            title_done = True
            i += 1
            continue
        if chapters and CHAPTER.match(line):
            d.add_paragraph(line.strip(), style="Heading 1")
            clauses = new_list(numbering, 91)
            items = None
            i += 1
            continue
        if line.startswith("\t"):
            # A table copied as text: one cell per line, rows separated by blank lines.
            rows, row = [], []
            while i < len(lines) and (lines[i].startswith("\t") or not lines[i].strip()):
                if lines[i].strip():
                    row.append(lines[i].strip())
                elif row:
                    rows.append(row)
                    row = []
                i += 1
            if row:
                rows.append(row)
            table = d.add_table(rows=len(rows), cols=len(rows[0]))
            for r, cells in enumerate(rows):
                for c, text in enumerate(cells):
                    table.cell(r, c).text = text
            continue
        m = CLAUSE.match(line)
        if m:
            style = f"Heading {level + (2 if m.group(2) else 1)}"
            p = d.add_paragraph(m.group(3), style=style)
            number(p, clauses, 1 if m.group(2) else 0)
            items = None
            i += 1
            continue
        m = ITEM.match(line)
        if m:
            if items is None:
                items = new_list(numbering, 92)
            number(d.add_paragraph(m.group(1)), items)
            i += 1
            continue
        m = BULLET.match(line)
        if m:
            number(d.add_paragraph(m.group(1)), bullets)
            i += 1
            continue
        d.add_paragraph(line.strip())
        i += 1
    return d


def seed_001():
    src = ROOT / "tests/seeds/001_c7091b0a300dafff/source.txt"
    lines = src.read_text(encoding="utf-8").split("\n")
    save(seed_001_document(lines), OUT / "tests/seeds/001_c7091b0a300dafff/source.docx")


def long_regulation(pages, out):
    """A regulation of about `pages` A4 pages (1,400 characters a page): seed 001's body
    repeated as chapters 第1章, 第2章 … (clause numbers restart in each), as text and as Word."""
    src = (ROOT / "tests/seeds/001_c7091b0a300dafff/source.txt").read_text(encoding="utf-8")
    title, body = src.strip("\n").split("\n", 1)
    chars_per_copy = len(body)
    copies = max(1, round(pages * 1400 / chars_per_copy))
    parts = [title.strip(), ""]
    for n in range(1, copies + 1):
        parts += [f"第{n}章　事業所{n}における報告と対応", body, ""]
    text = "\n".join(parts)
    out.mkdir(parents=True, exist_ok=True)
    (out / "regulation.txt").write_text(text, encoding="utf-8")
    d = seed_001_document(text.split("\n"), chapters=True)
    d.save(out / "regulation.docx")
    print(f"wrote {out}/regulation.txt and regulation.docx: {copies} chapters, {len(text)} characters")


def law_style():
    d, numbering = fresh_document()
    abstract_num(numbering, 81, [("japaneseCounting", "%1", "space"), ("aiueoFullWidth", "%2", "space")])
    d.add_paragraph("情報セキュリティインシデント対応規則", style="Title")
    d.add_paragraph("第1章　総則", style="Heading 1")
    d.add_paragraph("（目的）")
    d.add_paragraph("第1条　この規則は、株式会社みなと商会（以下「当社」という。）における情報セキュリティインシデントへの対応を定める。")
    d.add_paragraph("（定義）")
    d.add_paragraph("第2条　この規則において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。")
    items = new_list(numbering, 81)
    number(d.add_paragraph("インシデント　情報資産の機密性、完全性又は可用性を損なう事象"), items, 0)
    number(d.add_paragraph("不正アクセス"), items, 1)
    number(d.add_paragraph("マルウェア感染"), items, 1)
    number(d.add_paragraph("責任者　第4条に定める者"), items, 0)
    d.add_paragraph("2　前項の事象の疑いがあるものも、インシデントとして扱う。")
    d.add_paragraph("第2章　体制", style="Heading 1")
    d.add_paragraph("第3条（体制）　当社は、次の役割を置く。")
    roles = d.add_table(rows=3, cols=3)
    for r, cells in enumerate([
        ("役割", "担当", "責任"),
        ("情報セキュリティ委員会", "委員長：情報セキュリティ責任者", "本規則の承認"),
        ("情報セキュリティ責任者", "情報システム部長", "インシデント対応の統括"),
    ]):
        for c, text in enumerate(cells):
            roles.cell(r, c).text = text
    d.add_paragraph("第4条（連絡先）　緊急時の連絡先は、次のとおりとする。")
    contacts = d.add_table(rows=3, cols=3)
    for r, cells in enumerate([
        ("連絡先", "電話", "メール"),
        ("情報システム部", "03-0000-0101", "security@example.jp"),
        ("監視委託先　サンプル監視株式会社", "03-0000-0202", "soc@example.jp"),
    ]):
        for c, text in enumerate(cells):
            contacts.cell(r, c).text = text
    d.add_paragraph("第5条（事故レベル）　インシデントの事故レベルは、次の表による。")
    severity = d.add_table(rows=4, cols=2)
    for r, cells in enumerate([
        ("レベル", "内容"),
        ("3", "個人情報の漏えい、又は顧客に影響が及ぶもの"),
        ("2", "社内業務に影響が及ぶもの"),
        ("1", "影響が軽微なもの"),
    ]):
        for c, text in enumerate(cells):
            severity.cell(r, c).text = text
    d.add_paragraph("①　事故レベルは、情報セキュリティ責任者が判定する。")
    d.add_paragraph("②　判定に迷うときは、上位のレベルとする。")
    d.add_paragraph("附則")
    d.add_paragraph("この規則は、2025年4月1日に制定し、同日から施行する。")
    d.add_paragraph("2026年4月1日改訂")
    save(d, OUT / "tests/fixtures/import/law-style.docx")


if __name__ == "__main__":
    if docx.__version__.split(".")[0] != "1":
        sys.exit(f"python-docx 1.x expected, found {docx.__version__}")
    if len(sys.argv) == 4 and sys.argv[1] == "--long":
        long_regulation(int(sys.argv[2]), OUT)
    else:
        seed_001()
        law_style()
