"""Small CJK font subsets, cut once while WeasyPrint writes the PDF.

WeasyPrint subsets fonts keeping every glyph id up to the highest one used, so a Noto CJK subset
of 70 glyphs would still carry ~59,000 empty CFF charstrings (137 KB for a Hei face used by the
headings alone), compressed at level 9. Noto CJK's CFF is CID-keyed: a PDF finds its glyphs by CID
through the font's charset, not by position. So while jixiao writes a PDF, `cid_subsets()` has
HarfBuzz cut such a font down to the glyphs used while keeping their CIDs (the page content names
CIDs, so it stays valid), and the bare CFF table is embedded as FontFile3 /CIDFontType0C, named so
by `finish`, WeasyPrint's finisher hook. A font that is not CID-keyed is left as WeasyPrint makes it.
"""

from __future__ import annotations

import io
import struct
from contextlib import contextmanager

from fontTools.ttLib import TTFont

_FLAG_NOTDEF_OUTLINE = 0x40  # HarfBuzz keeps .notdef's outline: a missing glyph shows as a box


def _cff_table(font: bytes) -> bytes:
    (count,) = struct.unpack(">H", font[4:6])
    for index in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", font[12 + 16 * index : 28 + 16 * index])
        if tag == b"CFF ":
            return font[offset : offset + length]
    return b""


def _checked_cff(subset: bytes, glyphs: set[int]) -> bytes | None:
    """The CFF table of a subset, if every glyph asked for kept its CID."""
    try:
        cff = TTFont(io.BytesIO(subset))["CFF "].cff
        top = cff.topDictIndex[0]
        names = cff[cff.fontNames[0]].charset
    except Exception:  # a font fontTools cannot read is left as WeasyPrint made it
        return None
    if not hasattr(top, "ROS"):
        return None  # name-keyed CFF: glyphs are found by position, which subsetting changes
    # HarfBuzz may keep a few more glyphs (its closure); every one asked for must keep its CID.
    if not {f"cid{glyph:05d}" for glyph in glyphs if glyph} <= set(names):
        return None
    return _cff_table(subset) or None


# The tables WeasyPrint drops from every subset (weasyprint/pdf/fonts.py), so the CFF is cut alike.
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def _direct_cff(font, glyphs: set[int], hinting: bool) -> bytes | None:
    """WeasyPrint's Font cut in one pass to the CID-keeping bare CFF, or None (then WeasyPrint's way)."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    if font.missing or font.bitmap or font.png or font.svg or font.colr or "fvar" in font.tables or "CFF " not in font.tables:
        return None
    plan = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    wanted = sorted(glyphs | {0})
    # Arrays as "type[]": cffi parses each new type string with pycparser (ms), and "[n]" would be new for each n.
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(plan), ffi.new("hb_codepoint_t[]", wanted), len(wanted)
    )
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    flags |= _FLAG_NOTDEF_OUTLINE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    drop = [harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROP_TABLES]
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(plan, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new("hb_codepoint_t[]", sorted(drop)), len(drop),
    )
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, plan)
    if face == ffi.NULL:
        return None
    subset = get_hb_object_data(ffi.gc(face, harfbuzz.hb_face_destroy))
    return _checked_cff(subset, glyphs) if subset else None


class _Unread(bytes):
    """A font's whole file, not yet copied out of HarfBuzz (a Noto CJK collection is 20–27 MB)."""


@contextmanager
def cid_subsets():
    """While a PDF is written: CID-keyed fonts subset once, straight to their bare CFF, and no
    font's whole file copied into Python unless WeasyPrint's own subsetting reads it."""
    import weasyprint.pdf.fonts as pdf_fonts
    from weasyprint.pdf.fonts import Font

    original_init, original_subset, original_type = Font.__init__, Font.subset, Font.type
    original_data = pdf_fonts.get_hb_object_data

    def init(font, *args, **kwargs):
        # Font.__init__ copies the whole face out of HarfBuzz: left unread until first used.
        pdf_fonts.get_hb_object_data = lambda hb_object, ot_color=None, glyph=None: (
            _Unread() if ot_color is None and glyph is None else original_data(hb_object, ot_color, glyph)
        )
        try:
            original_init(font, *args, **kwargs)
        finally:
            pdf_fonts.get_hb_object_data = original_data

    def read(font):
        content = font.__dict__.get("_file_content")
        if isinstance(content, _Unread):
            content = font.__dict__["_file_content"] = original_data(font.hb_face)
        return content

    def write(font, content):
        font.__dict__["_file_content"] = content

    def subset(font, to_unicode, hinting):
        cff = _direct_cff(font, set(to_unicode), hinting) if to_unicode else None
        if cff is None:
            return original_subset(font, to_unicode, hinting)
        font.file_content, font.bare_cff = cff, True

    Font.__init__ = init
    Font.file_content = property(read, write)
    Font.subset = subset
    # A bare CFF is what FontFile3 holds: written like an OpenType font, renamed by finish().
    Font.type = property(lambda font: "otf" if getattr(font, "bare_cff", False) else original_type.fget(font))
    try:
        yield
    finally:
        del Font.file_content
        Font.__init__, Font.subset, Font.type = original_init, original_subset, original_type


def finish(document, pdf) -> None:
    """WeasyPrint's finisher, run on the PDF's objects before they are written: a bare CFF made by
    cid_subsets() is named what it is (FontFile3 /CIDFontType0C), and the catalog's /AF list of
    associated files, where WeasyPrint 70 lists the YAML attachment twice, lists it once."""
    import pydyf

    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and item.extra.get("Subtype") == "/OpenType" and item.stream:
            if bytes(item.stream[0][:2]) == b"\x01\x00":  # a CFF header (1.0); an OpenType file begins OTTO
                item.extra["Subtype"] = "/CIDFontType0C"
    files = pdf.catalog.get("AF")
    if files:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(files))
