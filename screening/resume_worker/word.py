"""DOCX: the text of the body, headers and footers in reading order, and apart from it hidden runs.

The XML is streamed, never built into a tree: each part is inflated by our own counter (whatever
the zip declares) into a pull parser without DTDs, entities or network. Read: paragraphs, tables at
any depth, text boxes (one branch of mc:AlternateContent), content controls, tracked insertions.
Not read: tracked deletions and moves away, field codes. Hidden: runs with ``w:vanish``, a near-white
colour on no shading, or a size up to 2 pt, directly or through their styles.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import zipfile
import zlib

from lxml import etree

from screening.resume_worker import IMAGE_PAGE_SHARE, MIN_CONTRAST, Collector, Refusal
from screening.resume_worker.ooxml import main_part

_NAMESPACES = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main": "w",
    "http://purl.oclc.org/ooxml/wordprocessingml/main": "w",  # Strict Open XML
    "http://schemas.openxmlformats.org/markup-compatibility/2006": "mc",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingShape": "wps",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "a",
    "http://purl.oclc.org/ooxml/drawingml/main": "a",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing": "wp",
    "http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": "wp",
    "urn:schemas-microsoft-com:vml": "v",
}
# Subtrees whose text a reader does not see: deleted and moved-away text, the branches of
# mc:AlternateContent after the first, earlier formatting kept by track changes, field codes.
_SKIPPED = {
    "w:del", "w:moveFrom", "w:rPrChange", "w:pPrChange", "w:tblPrChange", "w:tcPrChange", "w:trPrChange",
    "w:sectPrChange", "w:sdtPr", "w:instrText", "w:delInstrText", "w:sectPr",
}  # fmt: skip
_VML_SHAPES = {"v:shape", "v:rect", "v:roundrect", "v:oval"}
# Elements read in the whole document (styles, headers, body, footers), ~2.5 us each here. Word's
# styles.xml has ~9k and a dense page ~3-5k; 880k one-letter runs in 85 KB of zip took 4.3 s. When
# they run out, the lines read so far are the text, and without any the file is "too_complex".
MAX_ELEMENTS = 200_000
_A4_EMU2 = (8.27 * 914400) * (11.69 * 914400)


_SHORT_TAGS: dict[str, str] = {}


def _short(tag) -> str:
    """``w:p`` for ``{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p``."""
    name = _SHORT_TAGS.get(tag)
    if name is None:
        namespace, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
        name = _SHORT_TAGS[tag] = f"{_NAMESPACES.get(namespace, '?')}:{local}"
    return name


def _attr(element, name):
    tag = element.tag
    namespace = tag[1 : tag.index("}")] if tag[:1] == "{" else ""
    return element.get(f"{{{namespace}}}{name}")


def _light(value) -> bool:
    """A hex colour (``FFFFFF``) close to white; ``auto`` and names are not."""
    if not value or len(value) != 6:
        return False
    try:
        return all(int(value[i : i + 2], 16) >= 255 * (1 - MIN_CONTRAST) for i in (0, 2, 4))
    except ValueError:
        return False


def _shaded(element) -> bool:
    """A w:shd or w:highlight that paints a colour that is not (near) white behind text."""
    if _short(element.tag) == "w:highlight":
        return (_attr(element, "val") or "none") != "none"
    fill = _attr(element, "fill") or "auto"
    if fill.lower() != "auto" and not _light(fill):
        return True
    return _attr(element, "val") == "solid" and (_attr(element, "color") or "auto").lower() not in ("auto",)


class _Budget:
    def __init__(self, limit: int):
        self.left = limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise Refusal("too_complex")


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: _Budget):
    """The bytes of one zip member in chunks, counted against ``budget`` whatever its header declares."""
    offset = info.header_offset
    if info.flag_bits & 0x1 or data[offset : offset + 4] != b"PK\x03\x04":
        raise Refusal("unreadable")
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    position = offset + 30 + name_length + extra_length
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        chunk = data[position : position + info.compress_size]
        budget.take(len(chunk))
        crc = zlib.crc32(chunk)
        yield chunk
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        while not inflater.eof:
            source = inflater.unconsumed_tail
            if not source:
                source = data[position : position + 65536]
                position += len(source)
                if not source:
                    raise Refusal("unreadable")  # the stream is cut short
            chunk = inflater.decompress(source, 65536)
            budget.take(len(chunk))
            crc = zlib.crc32(chunk, crc)
            yield chunk
    else:
        raise Refusal("unreadable")
    if crc != info.CRC:
        raise Refusal("unreadable")


class _OutOfElements(Exception):
    """The document's ``MAX_ELEMENTS`` are spent."""


class _Elements:
    """What is left of ``MAX_ELEMENTS`` for the whole document."""

    def __init__(self, limit: int):
        self.left = limit


def _xml_events(chunks, elements: _Elements, events=("start", "end")):
    """(event, element) pairs of an XML stream, parsed without DTDs, entities or network; each
    element started is taken from ``elements`` (``_OutOfElements`` once they are spent)."""
    parser = etree.XMLPullParser(
        events=events,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for chunk in chunks:
            parser.feed(chunk)
            for event, element in parser.read_events():
                if event == "start":
                    elements.left -= 1
                    if elements.left < 0:
                        raise _OutOfElements
                yield event, element
        parser.close()
        yield from parser.read_events()
    except etree.LxmlError:
        raise Refusal("unreadable")


class _Styles:
    """Run properties that hide text (vanish, colour, size) as styles.xml gives them, with basedOn."""

    def __init__(self):
        self.defaults: dict = {}
        self.styles: dict[str, tuple[str | None, dict]] = {}
        self.default_paragraph: str | None = None
        self._cache: dict = {}

    def read(self, chunks, elements: _Elements) -> None:
        style_id = based_on = None
        props: dict = {}
        path: list[str] = []
        for event, element in _xml_events(chunks, elements):
            name = _short(element.tag)
            if event == "start":
                path.append(name)
                if name == "w:style":
                    style_id, based_on, props = _attr(element, "styleId"), None, {}
                    if _attr(element, "type") == "paragraph" and _attr(element, "default") in ("1", "true"):
                        self.default_paragraph = style_id
                elif name == "w:basedOn" and path[-2] == "w:style":
                    based_on = _attr(element, "val")
                elif len(path) > 2 and path[-2] == "w:rPr" and path[-3] in ("w:style", "w:rPrDefault"):
                    target = props if path[-3] == "w:style" else self.defaults
                    _run_property(target, name, element)
                continue
            if name == "w:style" and style_id:
                self.styles[style_id] = (based_on, props)
            path.pop()
            element.clear()

    def resolve(self, paragraph_style, run_style) -> dict:
        key = (paragraph_style, run_style)
        if key not in self._cache:
            props = dict(self.defaults)
            for style_id in (paragraph_style or self.default_paragraph, run_style):
                chain, seen = [], set()
                while style_id and style_id in self.styles and style_id not in seen and len(chain) < 20:
                    seen.add(style_id)
                    chain.append(self.styles[style_id][1])
                    style_id = self.styles[style_id][0]
                for layer in reversed(chain):
                    props.update(layer)
            self._cache[key] = props
        return self._cache[key]


def _run_property(props: dict, name: str, element) -> None:
    if name == "w:vanish":
        props["vanish"] = (_attr(element, "val") or "true") not in ("0", "false", "off")
    elif name == "w:color":
        props["color"] = _attr(element, "val")
    elif name == "w:sz":
        with contextlib.suppress(TypeError, ValueError):
            props["sz"] = int(_attr(element, "val"))
    elif name in ("w:shd", "w:highlight"):
        props["shaded"] = _shaded(element)


class _DocxReader:
    """Text of WordprocessingML parts in reading order, visible and hidden apart.

    Paragraphs become lines; a table row becomes one line with its cells joined by `` | `` (a
    nested table's rows go into the cell that holds it); a text box's lines come before the line of
    the paragraph it is anchored in.
    """

    def __init__(self, styles: _Styles, collector: Collector):
        self.styles, self.out = styles, collector
        self.pictures = 0

    def read(self, chunks, elements: _Elements) -> None:
        path: list[str] = []
        skip = 0
        paragraphs: list[dict] = []  # {"style", "visible": [], "hidden": []}
        runs: list[dict] = []  # direct properties of the runs being read
        sinks: list[list] = []  # lines of the table cells being read: [(visible, hidden)]
        rows: list[list] = []  # cells of the rows being read: [(visible, hidden)]
        painted: list[bool] = [False]  # a coloured background behind the elements being read
        choices: list[bool] = []  # mc:AlternateContent: one branch already taken
        filled: list[bool] = []  # the shapes being read: their own fill was given
        for event, element in _xml_events(chunks, elements):
            name = _short(element.tag)
            if event == "start":
                path.append(name)
                parent = path[-2] if len(path) > 1 else ""
                if skip:
                    skip += 1
                elif name in _SKIPPED or (name in ("mc:Choice", "mc:Fallback") and choices and choices[-1]):
                    skip = 1
                elif name in ("mc:Choice", "mc:Fallback") and choices:
                    choices[-1] = True
                elif name == "mc:AlternateContent":
                    choices.append(False)
                elif name == "w:p":
                    paragraphs.append({"style": None, "visible": [], "hidden": []})
                    painted.append(False)
                elif name in ("w:tbl", "w:tc", "wps:wsp"):
                    painted.append(False)
                    if name == "w:tc":
                        sinks.append([])
                    elif name == "wps:wsp":
                        filled.append(False)
                elif name == "w:tr":
                    rows.append([])
                elif name == "w:r":
                    runs.append({})
                elif name in _VML_SHAPES:
                    filled = (element.get("filled") or "t").lower() not in ("f", "false")
                    colour = (element.get("fillcolor") or "").lstrip("#")
                    painted.append(filled and bool(colour) and not _light(colour))
                elif name == "w:pStyle" and parent == "w:pPr" and paragraphs:
                    paragraphs[-1]["style"] = _attr(element, "val")
                elif name == "w:rStyle" and parent == "w:rPr" and path[-3] == "w:r" and runs:
                    runs[-1]["style"] = _attr(element, "val")
                elif parent == "w:rPr" and path[-3] == "w:r" and runs:
                    _run_property(runs[-1], name, element)
                elif name == "w:shd" and parent in ("w:pPr", "w:tcPr", "w:tblPr"):
                    painted[-1] |= _shaded(element)
                elif name == "w:background":
                    painted[0] = not _light(_attr(element, "color") or "FFFFFF")
                elif name in ("a:solidFill", "a:noFill", "a:gradFill", "a:blipFill") and parent == "wps:spPr":
                    filled[-1] = True  # the shape's own fill, which its style's fillRef does not change
                    painted[-1] = name in ("a:gradFill", "a:blipFill")
                elif name in ("a:srgbClr", "a:schemeClr", "a:sysClr") and path[-3:-1] == ["wps:spPr", "a:solidFill"]:
                    value = element.get("val") or ""
                    painted[-1] = not (_light(element.get("lastClr") or value) or value in ("bg1", "lt1", "window"))
                elif name == "a:fillRef" and parent == "wps:style" and not filled[-1]:
                    painted[-1] = (element.get("idx") or "0") != "0"
                elif name == "wp:extent" and parent in ("wp:inline", "wp:anchor"):
                    with contextlib.suppress(TypeError, ValueError):
                        self.pictures += int(element.get("cx")) * int(element.get("cy")) >= IMAGE_PAGE_SHARE * _A4_EMU2
                continue
            # end
            if skip:
                skip -= 1
            elif name == "w:t" and _parent(path) == "w:r" and paragraphs and runs:
                self._text(paragraphs[-1], runs[-1], element.text or "", painted)
            elif name in ("w:tab", "w:br", "w:cr", "w:noBreakHyphen") and _parent(path) == "w:r" and paragraphs:
                text = {"w:tab": "\t", "w:noBreakHyphen": "-"}.get(name, "\n")
                self._text(paragraphs[-1], runs[-1] if runs else {}, text, painted)
            elif name == "w:r" and runs:
                runs.pop()
            elif name == "w:p" and paragraphs:
                paragraph = paragraphs.pop()
                painted.pop()
                line = ("".join(paragraph["visible"]), "".join(paragraph["hidden"]))
                if sinks:
                    sinks[-1].append(line)
                else:
                    self.out.add(*line)
                    if self.out.full:
                        return
            elif name == "w:tc" and sinks:
                painted.pop()
                cell = _join(sinks.pop(), " ")
                if rows:
                    rows[-1].append(cell)
            elif name == "w:tr" and rows:
                line = _join(rows.pop(), " | ")
                if sinks:
                    sinks[-1].append(line)
                else:
                    self.out.add(*line)
            elif name in ("w:tbl", "wps:wsp") or name in _VML_SHAPES:
                painted.pop()
                if name == "wps:wsp" and filled:
                    filled.pop()
            elif name == "mc:AlternateContent" and choices:
                choices.pop()
            path.pop()
            element.clear()
            parent_element = element.getparent()
            if parent_element is not None:
                while element.getprevious() is not None:
                    del parent_element[0]

    def _text(self, paragraph, run, text, painted) -> None:
        props = dict(self.styles.resolve(paragraph["style"], run.get("style")))
        props.update(run)
        hidden = (
            props.get("vanish", False)
            or props.get("sz", 24) <= 4  # half-points: 2 pt
            or (_light(props.get("color")) and not props.get("shaded") and not any(painted))
        )
        paragraph["hidden" if hidden else "visible"].append(text)


def _join(lines: list[tuple[str, str]], separator: str) -> tuple[str, str]:
    """The visible parts of ``lines`` joined by ``separator``, and the hidden parts; blanks left out."""
    visible = separator.join(line[0] for line in lines if line[0].strip())
    hidden = separator.join(line[1] for line in lines if line[1].strip())
    return visible, hidden


def _parent(path: list[str]) -> str:
    return path[-2] if len(path) > 1 else ""


def _parts(members: dict, main: str) -> list[str]:
    """Headers, then the main part, then footers, each in number order: the order a page is read in."""
    folder = main.rpartition("/")[0]
    pattern = re.compile(re.escape(f"{folder}/" if folder else "") + r"(header|footer)(\d*)\.xml")
    found = {"header": [], "footer": []}
    for name in members:
        match = pattern.fullmatch(name)
        if match:
            found[match[1]].append((int(match[2] or 0), name))
    return [name for _, name in sorted(found["header"])] + [main] + [name for _, name in sorted(found["footer"])]


def read_docx(data: bytes, limits: dict) -> dict:
    """Text of the document: ``{"text", "hidden", "pages", "image_pages"}`` (pages: page-sized pictures, at least 1)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: info for info in archive.infolist()}
        main = main_part(archive)
    if main is None:
        raise Refusal("unreadable")
    parts = _parts(members, main)
    styles_info = members.get(f"{main.rpartition('/')[0]}/styles.xml".lstrip("/"))
    wanted = [members[name] for name in parts] + ([styles_info] if styles_info else [])
    if sum(info.file_size for info in wanted) > limits["max_decompressed"]:
        raise Refusal("too_complex")  # declared sizes: no need to inflate anything
    budget = _Budget(limits["max_decompressed"])
    elements = _Elements(MAX_ELEMENTS)
    styles = _Styles()
    collector = Collector(limits["max_chars"])
    reader = _DocxReader(styles, collector)
    try:
        if styles_info:
            styles.read(_inflate(data, styles_info, budget), elements)
        for name in parts:
            if collector.full:
                break
            reader.read(_inflate(data, members[name], budget), elements)
    except _OutOfElements:
        if not collector.visible:
            raise Refusal("too_complex")
        # else the lines read so far are the text, as when it is cut at max_chars
    return collector.result(pages=max(reader.pictures, 1), image_pages=reader.pictures)
