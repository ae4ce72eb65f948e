"""Shrinks the CJK font subsets WeasyPrint embeds, without touching the page content.

(The same pass also drops the duplicate entry WeasyPrint 70 writes into the catalog's /AF list of
associated files, so the YAML attachment is listed once.)

WeasyPrint subsets fonts keeping every glyph id up to the highest one used, so a Noto CJK subset
of 70 glyphs still carries ~59,000 empty CFF charstrings (137 KB for a Hei face used by the
headings alone). Noto CJK's CFF is CID-keyed: a PDF finds its glyphs by CID through the font's
charset, not by position. HarfBuzz can subset such a font down to the glyphs used while keeping
their CIDs, so the page content (which names CIDs) stays valid. The bare CFF table is embedded
as FontFile3 /CIDFontType0C. A font that is not CID-keyed is left as it is.

Making WeasyPrint's glyph-id-keeping subset first, compressing it at level 9 and cutting it down
again afterwards is most of write_pdf's time, all of it thrown away. So while jixiao writes a PDF,
`cid_subsets()` replaces WeasyPrint's subsetting: a CID-keyed font is cut straight to the bare CFF
compact_cff would make (the same bytes), and compact_fonts then only names its subtype.
"""

from __future__ import annotations

import io
import struct
from contextlib import contextmanager
from functools import lru_cache

from cffi import FFI
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode, void *user_data, void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
void hb_set_add(hb_set_t *set, uint32_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
_MEMORY_MODE_READONLY = 1
_FLAG_NOTDEF_OUTLINE = 0x40


@lru_cache(maxsize=1)
def _harfbuzz():
    ffi = FFI()
    ffi.cdef(_CDEF)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def _subset_keeping_cids(font: bytes, glyphs: set[int]) -> bytes:
    ffi, hb, hb_subset = _harfbuzz()
    blob = ffi.gc(hb.hb_blob_create(font, len(font), _MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL), hb.hb_blob_destroy)
    face = ffi.gc(hb.hb_face_create(blob, 0), hb.hb_face_destroy)
    plan = ffi.gc(hb_subset.hb_subset_input_create_or_fail(), hb_subset.hb_subset_input_destroy)
    glyph_set = hb_subset.hb_subset_input_glyph_set(plan)
    for glyph in sorted(glyphs):
        hb.hb_set_add(glyph_set, glyph)
    hb_subset.hb_subset_input_set_flags(plan, _FLAG_NOTDEF_OUTLINE)
    result = hb_subset.hb_subset_or_fail(face, plan)
    if result == ffi.NULL:
        return b""
    result = ffi.gc(result, hb.hb_face_destroy)
    out = ffi.gc(hb.hb_face_reference_blob(result), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    data = hb.hb_blob_get_data(out, length)
    return bytes(ffi.buffer(data, length[0]))


def _cff_table(font: bytes) -> bytes:
    (count,) = struct.unpack(">H", font[4:6])
    for index in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", font[12 + 16 * index : 28 + 16 * index])
        if tag == b"CFF ":
            return font[offset : offset + length]
    return b""


def _used_glyphs(widths) -> set[int]:
    """Glyph ids from a /W array, which WeasyPrint writes as `first [w1 w2 …]` runs."""
    used = {0}
    items = list(widths)
    for first, run in zip(items[::2], items[1::2]):
        used.update(range(int(first), int(first) + len(run)))
    return used


def compact_cff(font: bytes, glyphs: set[int]) -> bytes | None:
    """The bare CFF of `font` cut down to `glyphs`, or None when the CIDs would not survive."""
    subset = _subset_keeping_cids(font, glyphs)
    return _checked_cff(subset, glyphs) if subset else None


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
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(plan), ffi.new(f"hb_codepoint_t[{len(wanted)}]", wanted), len(wanted)
    )
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    flags |= _FLAG_NOTDEF_OUTLINE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    harfbuzz_subset.hb_subset_input_set_flags(plan, flags)
    drop = [harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROP_TABLES]
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(plan, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new(f"hb_codepoint_t[{len(drop)}]", sorted(drop)), len(drop),
    )
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, plan)
    if face == ffi.NULL:
        return None
    subset = get_hb_object_data(ffi.gc(face, harfbuzz.hb_face_destroy))
    return _checked_cff(subset, glyphs) if subset else None


@contextmanager
def cid_subsets():
    """While a PDF is written: CID-keyed fonts subset once, straight to their bare CFF."""
    from weasyprint.pdf.fonts import Font

    original_subset, original_type = Font.subset, Font.type

    def subset(font, to_unicode, hinting):
        cff = _direct_cff(font, set(to_unicode), hinting) if to_unicode else None
        if cff is None:
            return original_subset(font, to_unicode, hinting)
        font.file_content, font.bare_cff = cff, True

    Font.subset = subset
    # A bare CFF is what FontFile3 holds: written like an OpenType font, renamed by compact_fonts.
    Font.type = property(lambda font: "otf" if getattr(font, "bare_cff", False) else original_type.fget(font))
    try:
        yield
    finally:
        Font.subset, Font.type = original_subset, original_type


def _dedupe_associated_files(writer: PdfWriter) -> bool:
    files = writer.root_object.get("/AF")
    if files is None:
        return False
    unique = list({(ref.idnum, ref.generation): ref for ref in files}.values())
    if len(unique) == len(files):
        return False
    files[:] = unique
    return True


def compact_fonts(pdf: bytes) -> bytes:
    """The same PDF with every CID-keyed OpenType CFF subset compacted."""
    reader = PdfReader(io.BytesIO(pdf))
    # keep_initial_header: pypdf would otherwise write %PDF-1.3, below the 1.7 PDF/A-3 is built on.
    writer = PdfWriter(clone_from=reader, keep_initial_header=True)
    done: set[int] = set()
    changed = False
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font_ref in fonts.values():
            font = font_ref.get_object()
            for descendant in font.get("/DescendantFonts", []):
                cid_font = descendant.get_object()
                descriptor = cid_font["/FontDescriptor"].get_object()
                stream_ref = descriptor.get("/FontFile3")
                if stream_ref is None or stream_ref.idnum in done:
                    continue
                done.add(stream_ref.idnum)
                stream = stream_ref.get_object()
                if stream.get("/Subtype") != "/OpenType" or cid_font.get("/Subtype") != "/CIDFontType0":
                    continue
                data = stream.get_data()
                # Already cut by cid_subsets(): only its subtype is to name (and it is stored as before).
                cff = data if data[:2] == b"\x01\x00" else compact_cff(data, _used_glyphs(cid_font["/W"]))
                if cff is None:
                    continue
                stream.set_data(cff)
                stream[NameObject("/Subtype")] = NameObject("/CIDFontType0C")
                changed = True
    changed |= _dedupe_associated_files(writer)
    if not changed:
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
