"""Metadata removed from a published copy: PDF, Office Open XML, OpenDocument, images.

What a sender's software wrote about them without their knowing goes: author and
company names, edit history and comments, the camera and the place a photo was
taken. The content stays as it was. Each function reads `source` (the archived
original, never changed) and writes `target`; the same source always gives the
same bytes (zip entries carry a fixed date), so a build stays reproducible.
Runs in the sandbox's worker process (publish.sandbox): these libraries meet
hostile files.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class CannotStrip(Exception):
    """The file could not be read well enough to remove its metadata; the message says why."""


def strip_file(kind: str, source: Path, target: Path) -> None:
    """Dispatch on the publication kind (publish.attachments.kind_of). The reasons given
    never name the archive's path."""
    try:
        _strip(kind, source, target)
    except CannotStrip as exc:
        raise CannotStrip(str(exc).replace(str(source), "the file")) from None


def _strip(kind: str, source: Path, target: Path) -> None:
    if kind == "pdf":
        strip_pdf(source, target)
    elif kind == "office":
        with source.open("rb") as head:
            magic = head.read(4)
        if magic != b"PK\x03\x04":
            raise CannotStrip("not an Office Open XML or OpenDocument file (no ZIP inside)")
        with zipfile.ZipFile(source) as bundle:
            opendocument = "mimetype" in bundle.namelist()
        (strip_opendocument if opendocument else strip_office_open)(source, target)
    elif kind == "image":
        strip_image(source, target)
    else:
        raise CannotStrip(f"no way to remove the metadata of this kind of file ({kind})")


# PDF ------------------------------------------------------------------------------------

_PDF_PRIVATE = ("/Metadata", "/PieceInfo")
_ANNOTATION_PRIVATE = ("/T", "/M", "/CreationDate", "/NM", "/RC")


def strip_pdf(source: Path, target: Path) -> None:
    """No document information (author, creator, dates), no XMP anywhere, no application
    data (/PieceInfo), and no author or dates on annotations (a reviewer's comments)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    try:
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted:
            raise CannotStrip("the PDF is encrypted")
        writer = PdfWriter(clone_from=reader)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CannotStrip(f"the PDF could not be read ({type(exc).__name__}: {exc})") from exc
    writer.metadata = None
    root = writer._root_object
    for key in (*_PDF_PRIVATE, "/Names"):
        if key == "/Names":
            names = root.get("/Names")
            if isinstance(names, DictionaryObject) and "/EmbeddedFiles" in names:
                del names["/EmbeddedFiles"]  # files inside the PDF: not checked, not published
            continue
        if key in root:
            del root[key]
    for page in writer.pages:
        for key in _PDF_PRIVATE:
            if key in page:
                del page[key]
        annotations = page.get("/Annots")
        if isinstance(annotations, ArrayObject):
            for reference in annotations:
                annotation = reference.get_object()
                if isinstance(annotation, DictionaryObject):
                    for key in _ANNOTATION_PRIVATE:
                        if key in annotation:
                            del annotation[NameObject(key)]
    # What is no longer referenced (the XMP stream, the information dictionary) goes too.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())


# Office Open XML (docx, xlsx, pptx) -----------------------------------------------------

_PRIVATE_RELATIONSHIPS = (
    "/comments",
    "/commentsExtended",
    "/commentsIds",
    "/commentsExtensible",
    "/commentAuthors",
    "/people",
    "/person",
    "/threadedComment",
    "/custom-properties",
    "/extended-properties",
    "/thumbnail",
)
_AUTHOR_ATTRIBUTE = re.compile(
    rb'\s(?:w:author|w:initials|w15:userId|w15:providerId|w:rsid\w*)="[^"]*"'
)
_COMMENT_MARKS = re.compile(
    rb"<w:commentRangeStart\b[^>]*/>|<w:commentRangeEnd\b[^>]*/>|"
    rb"<w:r\b[^>]*>(?:(?!</w:r>).)*?<w:commentReference\b[^>]*/>(?:(?!</w:r>).)*?</w:r>|"
    rb"<w:commentReference\b[^>]*/>",
    re.S,
)


def strip_office_open(source: Path, target: Path) -> None:
    """Core properties emptied (author, last editor, company's template, dates, revision);
    custom and application properties (company, manager), comments, their authors and
    the thumbnail dropped; tracked changes keep their text but lose who made them."""
    from docx.opc.package import OpcPackage

    try:
        package = OpcPackage.open(str(source))
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise CannotStrip(f"the document could not be read ({type(exc).__name__}: {exc})") from exc
    core = package._core_properties_part
    for child in list(core._element):
        core._element.remove(child)
    for part in list(package.iter_parts()):
        for rId, relationship in list(part.rels.items()):
            if relationship.reltype.endswith(_PRIVATE_RELATIONSHIPS):
                del part.rels[rId]
    for rId, relationship in list(package.rels.items()):
        if relationship.reltype.endswith(_PRIVATE_RELATIONSHIPS):
            del package.rels[rId]
    buffer = io.BytesIO()
    package.save(buffer)
    _repack(buffer.getvalue(), target, _scrub_office_part)


def _scrub_office_part(name: str, data: bytes) -> bytes:
    if not name.endswith(".xml") or not name.startswith("word/"):
        return data
    data = _COMMENT_MARKS.sub(b"", data)
    return _AUTHOR_ATTRIBUTE.sub(b"", data)


# OpenDocument (odt, ods, odp) -----------------------------------------------------------

_ODF_META = re.compile(rb"<office:meta\b.*?</office:meta>|<office:meta\s*/>", re.S)
_ODF_ANNOTATION = re.compile(
    rb"<office:annotation\b.*?</office:annotation>|<office:annotation-end\b[^>]*/>", re.S
)
_ODF_TRACKED = re.compile(rb"<office:change-info>.*?</office:change-info>", re.S)


def strip_opendocument(source: Path, target: Path) -> None:
    """meta.xml emptied (creator, initial creator, dates, editing time, statistics);
    annotations (comments, with their authors) and tracked changes' authors removed.
    odfpy's own save rewrites the whole document, so the XML parts are edited in place."""
    from odf.opendocument import load

    try:
        load(str(source))  # it must be a document odfpy can read: nothing else is stripped
    except Exception as exc:
        raise CannotStrip(f"the document could not be read ({type(exc).__name__}: {exc})") from exc

    def scrub(name: str, data: bytes) -> bytes:
        if name == "meta.xml":
            return _ODF_META.sub(b"<office:meta/>", data)
        if name in ("content.xml", "styles.xml"):
            data = _ODF_ANNOTATION.sub(b"", data)
            return _ODF_TRACKED.sub(b"", data)
        return data

    _repack(source.read_bytes(), target, scrub)


def _repack(data: bytes, target: Path, scrub: Callable[[str, bytes], bytes]) -> None:
    """Copy a ZIP member by member with a fixed date, through `scrub(name, bytes)`."""
    with (
        zipfile.ZipFile(io.BytesIO(data)) as original,
        zipfile.ZipFile(target, "w") as copy,
    ):
        for info in original.infolist():
            if info.is_dir():
                continue
            clean = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            clean.compress_type = info.compress_type
            clean.external_attr = 0o644 << 16
            copy.writestr(clean, scrub(info.filename, original.read(info)))


# Images ---------------------------------------------------------------------------------

_FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP"}


def strip_image(source: Path, target: Path) -> None:
    """The pixels alone (turned as EXIF said), saved again without EXIF (camera, date, GPS
    position), XMP, IPTC or comments. JPEGs keep their quantisation tables when no turn is
    needed; a multi-frame image keeps its first frame."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(source) as image:
            kind = image.format or ""
            if kind not in _FORMATS:
                raise CannotStrip(f"an image format we do not rewrite ({kind or 'unknown'})")
            image.load()
            turn = image.getexif().get(0x0112, 1) not in (None, 1)
            pixels = ImageOps.exif_transpose(image) if turn else image
            clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
            if pixels.mode == "P" and (palette := pixels.getpalette()) is not None:
                clean.putpalette(palette)
            options: dict[str, object] = {}
            if kind == "JPEG":
                if clean.mode not in ("L", "RGB", "CMYK"):
                    clean = clean.convert("RGB")
                tables = getattr(image, "quantization", None)
                if turn or not tables:
                    options["quality"] = 90
                else:  # the same tables: no second loss of quality beyond rounding
                    options.update(qtables=tables, subsampling=_subsampling(image))
            elif kind == "WEBP":
                options["lossless"] = True
            buffer = io.BytesIO()
            clean.save(buffer, format=kind, **options)
    except CannotStrip:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CannotStrip(f"the image could not be read ({type(exc).__name__}: {exc})") from exc
    target.write_bytes(buffer.getvalue())


def _subsampling(image: object) -> int:
    from PIL import JpegImagePlugin

    try:
        value = JpegImagePlugin.get_sampling(image)  # type: ignore[arg-type]
    except Exception:
        return 0
    return value if value in (0, 1, 2) else 0


def copy_file(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
