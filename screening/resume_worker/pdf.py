"""PDF: the text a person sees on each page, and apart from it the text they cannot see.

pypdf extracts the text; ``PdfInk``, a visitor of every operator, follows what decides whether a
person sees a piece of text (colours, render mode, size, position, what was painted under it) and
blanks the other kind before pypdf reads it. Inflated streams and pages are capped, and so is the
work of the whole document (``DOCUMENT_TOKENS``): the first ``max_pages`` pages that fit in it are
read and the rest ignored.
"""

from __future__ import annotations

import contextlib
import io
import math

import pypdf
from pypdf.errors import FileNotDecryptedError, LimitReachedError
from pypdf.generic import ArrayObject

from screening.resume_worker import IMAGE_PAGE_SHARE, MIN_CONTRAST, Collector, Refusal

# A page's content stream may inflate to at most this many bytes (or RESUME_MAX_DECOMPRESSED_BYTES if
# lower): a text page from Word or LaTeX is 5-50 KB.
PAGE_CONTENT_BYTES = 1024 * 1024
# What reading all the pages may cost, in content tokens (operators, operands, elements of TJ arrays),
# counted each time pypdf parses and walks them: pypdf does it again for every page that shows a
# shared stream, for every use of a form, and for the second pass over a page with hidden text; it
# also rebuilds every font a page or form lists (FONT_TOKENS, plus a token per 16 bytes of its
# ToUnicode map and per entry of its width and encoding arrays). A token costs ~5 us here, so the
# budget is under a second; a dense text page is 5-10k tokens (17 pages of Word-like kerned text
# fit, ~95k characters). The pages read before the budget ran out are kept; a first page that does
# not fit is refused (a page of 1 MB of tiny operators alone cost 3.7 s, 30 pages sharing it timed
# out at 10 s).
DOCUMENT_TOKENS = 150_000
FONT_TOKENS = 12
# A string shown (by Tj, ', " or in a TJ array) or an XObject drawn (Do) costs this many tokens more:
# its text extraction and our checks cost ~20 us, a simple operator ~5.
SHOW_TOKENS = 4
_SHOW_ONE = (b"Tj", b"'", b'"', b"Do")
_SHOWS = (b"Tj", b"TJ", b"'", b'"')
# Text smaller than this many points on the page is not seen.
MIN_VISIBLE_POINTS = 2.0


def _mult(m, n):
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _point(m, x, y):
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


def _resolved(value):
    return value.get_object() if value is not None else None


class _OutOfWork(BaseException):
    """The document's budget of tokens is spent.

    A ``BaseException``, like ``KeyboardInterrupt``: pypdf reads each form inside ``except Exception``
    and would go on to the next one.
    """


class _Work:
    """What is left of ``DOCUMENT_TOKENS``; ``take`` raises ``_OutOfWork`` once it is spent."""

    def __init__(self, tokens: int):
        self.left = tokens
        self._fonts: dict[int, tuple] = {}  # id -> (font, tokens); the font kept so that its id stays its own

    def take(self, tokens: int) -> None:
        self.left -= tokens
        if self.left < 0:
            raise _OutOfWork

    def cap_parsing(self) -> None:
        """The next content stream pypdf parses stops (``LimitReachedError``) where the budget does."""
        pypdf.overwrite_configuration(stream_parsing_work_maximum_count=max(self.left, 0))

    def take_fonts(self, resources) -> None:
        """Pay for the fonts pypdf is about to build from ``resources``, one by one."""
        fonts = _resolved(resources.get("/Font")) if isinstance(resources, dict) else None
        if isinstance(fonts, dict):
            for value in fonts.values():
                self.take(self._font_tokens(value))

    def _font_tokens(self, value) -> int:
        font = _resolved(value)
        if id(font) in self._fonts:
            return self._fonts[id(font)][1]
        tokens = FONT_TOKENS
        with contextlib.suppress(Exception):  # pypdf will find whatever is broken in it
            to_unicode = _resolved(font.get("/ToUnicode"))
            if to_unicode is not None and hasattr(to_unicode, "get_data"):
                tokens += len(to_unicode.get_data()) // 16
            tokens += len(_resolved(font.get("/Widths")) or ())
            encoding = _resolved(font.get("/Encoding"))
            if isinstance(encoding, dict):
                tokens += len(_resolved(encoding.get("/Differences")) or ())
            for descendant in _resolved(font.get("/DescendantFonts")) or ():
                tokens += len(_resolved(_resolved(descendant).get("/W")) or ())
        self._fonts[id(font)] = (font, tokens)
        return tokens


def _numbers(operands, count):
    values = [float(value) for value in operands[:count]]
    if len(values) != count:
        raise ValueError("operands")
    return values


def _colour(values):
    """An (r, g, b) in 0..1 from 1 (gray), 3 (RGB) or 4 (CMYK) components; None when unknown."""
    values = [min(max(value, 0.0), 1.0) for value in values]
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return tuple(values)
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


_DEVICE_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/G": 1, "/DeviceRGB": 3, "/CalRGB": 3, "/RGB": 3}
_DEVICE_COMPONENTS |= {"/DeviceCMYK": 4, "/CMYK": 4}


class _GraphicsState:
    __slots__ = ("fill", "fill_alpha", "fill_n", "hscale", "mode", "size", "stroke", "stroke_alpha", "stroke_n")

    def __init__(self):
        self.fill = self.stroke = (0.0, 0.0, 0.0)
        self.fill_n = self.stroke_n = 1
        self.fill_alpha = self.stroke_alpha = 1.0
        self.mode, self.size, self.hscale = 0, 12.0, 1.0

    def copy(self) -> _GraphicsState:
        other = _GraphicsState.__new__(_GraphicsState)
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        return other


class PdfInk:
    """A pypdf visitor that decides, for each text-showing operator, whether a person sees it.

    It follows the fill and stroke colours, the text render mode, font size, the filled areas and
    images painted so far (the colour under the text) and form XObjects. With ``keep="visible"``
    it blanks the operands of hidden text before pypdf reads them, with ``keep="hidden"`` those of
    visible text, so one pass gives one kind of text.
    """

    def __init__(self, box, resources, keep: str, work: _Work):
        self.box, self.keep, self.work = box, keep, work
        self.area = max((box[2] - box[0]) * (box[3] - box[1]), 1.0)
        self.state = _GraphicsState()
        self.stack: list[_GraphicsState] = []
        self.base = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        self.resources = resources
        self.frames: list[tuple] = []
        self.path: list[float] | None = None
        # (x0, y0, x1, y1, colour or None for an image): what lies under text drawn later.
        self.regions: list[tuple] = []
        self.image_area = 0.0
        self.saw_hidden = False

    # pypdf calls these with the operator, its operands and its current (form-local) matrices.
    def before(self, operator, operands, cm, tm):
        tokens = 1 + len(operands)
        if operator == b"TJ" and operands and isinstance(operands[0], list):
            tokens += len(operands[0]) + SHOW_TOKENS * sum(isinstance(item, (str, bytes)) for item in operands[0])
        elif operator in _SHOW_ONE:
            tokens += SHOW_TOKENS
        if operator in _SHOWS:
            tokens += len(self.regions) // 32  # _under looks through them
        self.work.take(tokens)
        # A malformed operator changes nothing we track.
        with contextlib.suppress(ValueError, TypeError, KeyError, IndexError, AttributeError, ZeroDivisionError):
            self._before(operator, operands, cm, tm)

    def after(self, operator, operands, cm, tm):
        if operator == b"Do" and self.frames and self.frames[-1][0] == id(operands):
            _, self.state, depth, self.base, self.resources, left, size = self.frames.pop()
            del self.stack[depth:]
            if self.work.left == left:
                # None of its operators came: pypdf could not parse the form (at our cap, or broken)
                # and says nothing. Parsing it cost up to a token per byte.
                self.work.take(size)

    def _before(self, operator, operands, cm, tm):
        state = self.state
        if operator in _SHOWS:
            self._show(operator, operands, cm, tm)
        elif operator == b"q":
            self.stack.append(state.copy())
        elif operator == b"Q":
            if self.stack:
                self.state = self.stack.pop()
        elif operator == b"Tf":
            state.size = float(operands[1])
        elif operator == b"Tz":
            state.hscale = float(operands[0]) / 100
        elif operator == b"Tr":
            state.mode = int(operands[0])
        elif operator in (b"g", b"rg", b"k"):
            state.fill_n = {b"g": 1, b"rg": 3, b"k": 4}[operator]
            state.fill = _colour(_numbers(operands, state.fill_n))
        elif operator in (b"G", b"RG", b"K"):
            state.stroke_n = {b"G": 1, b"RG": 3, b"K": 4}[operator]
            state.stroke = _colour(_numbers(operands, state.stroke_n))
        elif operator in (b"cs", b"CS"):
            n = self._components(operands[0])
            black = None if n is None else _colour([0.0] * (n - 1) + [1.0] if n == 4 else [0.0] * n)
            if operator == b"cs":
                state.fill_n, state.fill = n, black
            else:
                state.stroke_n, state.stroke = n, black
        elif operator in (b"sc", b"scn"):
            values = [float(v) for v in operands if isinstance(v, (int, float))]
            state.fill = _colour(values) if state.fill_n == len(values) else None
        elif operator in (b"SC", b"SCN"):
            values = [float(v) for v in operands if isinstance(v, (int, float))]
            state.stroke = _colour(values) if state.stroke_n == len(values) else None
        elif operator == b"gs":
            ext = self.resources["/ExtGState"][operands[0]].get_object()
            state.fill_alpha = float(ext.get("/ca", state.fill_alpha))
            state.stroke_alpha = float(ext.get("/CA", state.stroke_alpha))
        elif operator in (b"m", b"l", b"c", b"v", b"y", b"re"):
            self._extend_path(operator, operands, _mult(cm, self.base))
        elif operator in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
            if self.path and state.fill_alpha >= 0.1:
                self._paint(self.path, state.fill)
            self.path = None
        elif operator in (b"S", b"s", b"n"):
            self.path = None
        elif operator == b"sh":
            self._paint(list(self.box), None)
        elif operator == b"INLINE IMAGE":
            self._image(_mult(cm, self.base))
        elif operator == b"Do":
            self._do(operands, cm)

    def _components(self, name):
        if name in _DEVICE_COMPONENTS:
            return _DEVICE_COMPONENTS[name]
        space = self.resources["/ColorSpace"][name].get_object()
        if space[0] == "/ICCBased":
            return int(space[1].get_object()["/N"])
        return _DEVICE_COMPONENTS.get(space[0])

    def _extend_path(self, operator, operands, matrix):
        if operator == b"re":
            x, y, w, h = _numbers(operands, 4)
            points = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
        else:
            values = _numbers(operands, {b"m": 2, b"l": 2, b"c": 6, b"v": 4, b"y": 4}[operator])
            points = list(zip(values[::2], values[1::2], strict=True))
        xs, ys = zip(*(_point(matrix, x, y) for x, y in points), strict=True)
        if self.path is None:
            self.path = [min(xs), min(ys), max(xs), max(ys)]
        else:
            path = self.path
            self.path = [min(path[0], *xs), min(path[1], *ys), max(path[2], *xs), max(path[3], *ys)]

    def _paint(self, bbox, colour):
        if (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) >= 100:  # a background, not a glyph or a rule
            self.regions.append((*bbox, colour))
            del self.regions[:-256]

    def _image(self, matrix):
        xs, ys = zip(*(_point(matrix, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))), strict=True)
        bbox = [min(xs), min(ys), max(xs), max(ys)]
        self._paint(bbox, None)
        box = self.box
        width = min(bbox[2], box[2]) - max(bbox[0], box[0])
        height = min(bbox[3], box[3]) - max(bbox[1], box[1])
        self.image_area += max(width, 0) * max(height, 0)

    def _do(self, operands, cm):
        xobject = self.resources["/XObject"][operands[0]].get_object()
        if xobject.get("/Subtype") == "/Image":
            self._image(_mult(cm, self.base))
        elif xobject.get("/Subtype") == "/Form":
            matrix = [float(v) for v in _resolved(xobject.get("/Matrix")) or [1, 0, 0, 1, 0, 0]][:6]
            frame = (id(operands), self.state.copy(), len(self.stack), self.base, self.resources)
            self.base = _mult(_mult(matrix, cm), self.base)
            self.resources = _resolved(xobject.get("/Resources")) or self.resources
            # pypdf builds the form's fonts and parses its stream anew at every use.
            self.work.take_fonts(self.resources)
            self.work.cap_parsing()
            size = 0
            with contextlib.suppress(Exception):  # then pypdf cannot read it either
                size = len(xobject.get_data())
            self.frames.append((*frame, self.work.left, size))

    def _under(self, x, y):
        for x0, y0, x1, y1, colour in reversed(self.regions):
            if x0 <= x <= x1 and y0 <= y <= y1:
                return colour, True
        return (1.0, 1.0, 1.0), False  # the paper

    def _hidden(self, cm, tm) -> bool:
        state = self.state
        m = _mult(_mult(tm, cm), self.base)
        size = abs(state.size)
        x, y = m[4], m[5]
        under, painted = self._under(*_point(m, 0.25 * size, 0.3 * size))
        if state.mode in (3, 7):
            # Invisible text over a picture is the text layer of a scan that was recognised (OCR).
            return not (painted and under is None)
        height = size * math.hypot(m[2], m[3])
        width = size * abs(state.hscale) * math.hypot(m[0], m[1])
        if min(height, width) < MIN_VISIBLE_POINTS:
            return True
        box = self.box
        if not (box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1):
            return True
        paints = []
        if state.mode in (0, 2, 4, 6):
            paints.append((state.fill, state.fill_alpha))
        if state.mode in (1, 2, 5, 6):
            paints.append((state.stroke, state.stroke_alpha))
        return all(self._unseen(colour, alpha, under) for colour, alpha in paints)

    @staticmethod
    def _unseen(colour, alpha, under) -> bool:
        if alpha < 0.1:
            return True
        if colour is None or under is None:
            return False
        return max(abs(a - b) for a, b in zip(colour, under, strict=True)) < MIN_CONTRAST

    def _show(self, operator, operands, cm, tm):
        hidden = self._hidden(cm, tm)
        self.saw_hidden |= hidden
        if hidden != (self.keep == "hidden") and operands:
            index = 2 if operator == b'"' else 0
            if len(operands) > index:
                operands[index] = ArrayObject() if operator == b"TJ" else ""


def _page_box(page) -> list[float]:
    """What a viewer shows of the page: its crop box, else its media box, as [x0, y0, x1, y1]."""
    for rectangle in (page.cropbox, page.mediabox):
        x0, y0, x1, y1 = (float(v) for v in rectangle)
        box = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
        if box[2] - box[0] >= 1 and box[3] - box[1] >= 1:
            return box
    return [-1e9, -1e9, 1e9, 1e9]  # no usable box: nothing is outside it


def _extract(page, ink: PdfInk, work: _Work) -> str:
    """The page's text as ``ink`` keeps it, paid for from ``work``."""
    work.take_fonts(ink.resources)
    work.cap_parsing()
    return page.extract_text(visitor_operand_before=ink.before, visitor_operand_after=ink.after)


def read_pdf(data: bytes, limits: dict) -> dict:
    """Text of the first ``max_pages`` pages: ``{"text", "hidden", "pages", "image_pages"}``.

    Pages past ``DOCUMENT_TOKENS`` are ignored like those past ``max_pages``; ``Refusal("too_complex")``
    when the first page alone does not fit.
    """
    cap = limits["max_decompressed"]
    pypdf.overwrite_configuration(
        disable_legacy_handling=True,
        jbig2dec_binary=None,
        maximum_declared_stream_length=cap,
        array_based_stream_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        image_maximum_buffer_size=cap,
        xmp_maximum_input_length=min(cap, 1024 * 1024),
        stream_decoding_work_maximum_length=4 * cap,
        zlib_maximum_recovery_input_length=256 * 1024,
        stream_parsing_work_maximum_count=DOCUMENT_TOKENS,
        xform_maximum_invocations_per_extraction=200,
    )
    start = data.find(b"%PDF-", 0, 1024)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data[max(start, 0) :]))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refusal("encrypted")
        collector = Collector(limits["max_chars"])
        page_budget = min(cap, PAGE_CONTENT_BYTES)
        work = _Work(DOCUMENT_TOKENS)
        inflated = pages_read = image_pages = 0
        for page in reader.pages:
            if pages_read >= limits["max_pages"] or collector.full:
                break
            contents = page.get_contents()
            size = len(contents.get_data()) if contents is not None else 0
            inflated += size
            if size > page_budget or inflated > cap:
                raise Refusal("too_complex")
            box = _page_box(page)
            resources = _resolved(page.get("/Resources")) or {}
            ink = PdfInk(box, resources, keep="visible", work=work)
            try:
                visible = _extract(page, ink, work)
                hidden = ""
                if ink.saw_hidden:
                    hidden = _extract(page, PdfInk(box, resources, keep="hidden", work=work), work)
            except (_OutOfWork, LimitReachedError):
                if not pages_read:
                    raise Refusal("too_complex")
                break  # the budget is spent: this page and the rest are ignored
            pages_read += 1
            collector.add(visible, hidden)
            image_pages += ink.image_area >= IMAGE_PAGE_SHARE * ink.area
    except FileNotDecryptedError:
        raise Refusal("encrypted")
    except LimitReachedError:
        raise Refusal("too_complex")
    return collector.result(pages=pages_read, image_pages=image_pages)
