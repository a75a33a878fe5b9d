"""Uploaded files, read as untrusted input.

The type of a file comes from its content, never from its name or the browser's word for
it. Pictures are decoded by Pillow within size and pixel limits (a decompression bomb is
refused before it is decoded), turned upright, and written out again as WebP at a few
widths, which leaves every piece of metadata (EXIF, GPS, comments, colour profiles)
behind. SVG and HTML are never accepted: a file that starts like markup is refused.
Nothing here stores anything; the caller decides where the results go.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

MEGABYTE = 1024 * 1024
IMAGE_MAX_BYTES = 10 * MEGABYTE
# Decoded, a picture takes about 4 bytes a pixel: 40 million is 160 MB, a bomb's limit.
IMAGE_MAX_PIXELS = 40_000_000
IMAGE_MIN_SIDE = 200
# The widths a picture is kept at, for srcset: a phone, a phone at 2x or a tablet, a
# desktop. A picture narrower than one of them is kept at its own width instead.
IMAGE_WIDTHS = (480, 960, 1600)
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
IMAGE_QUALITY = 82

VIDEO_MAX_BYTES = 60 * MEGABYTE
CAPTIONS_MAX_BYTES = 256 * 1024

# What a file starts with, once any byte-order mark and white space are left out, when it
# is markup (SVG, HTML, XML) rather than a picture.
MARKUP_STARTS = (b"<",)
BYTE_ORDER_MARKS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    content: bytes


@dataclass(frozen=True)
class CleanImage:
    """A picture that passed every check, at each of the widths it is kept at (the widest
    last); ``content_type`` is what each rendition is."""

    renditions: list[Rendition]
    content_type: str = "image/webp"
    extension: str = "webp"

    @property
    def width(self):
        return self.renditions[-1].width

    @property
    def height(self):
        return self.renditions[-1].height


def generated_name(folder, extension, *, suffix=""):
    """A storage name that says nothing of the uploaded file's own name."""
    return f"{folder}/{uuid.uuid4().hex}{suffix}.{extension}"


def _megabytes(size):
    return f"{size // MEGABYTE} MB"


def _head(upload, count=64):
    upload.seek(0)
    head = upload.read(count)
    upload.seek(0)
    return head


def _looks_like_markup(head):
    for mark in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            head = head[len(mark) :]
            break
    return head.lstrip().startswith(MARKUP_STARTS)


def image_read(upload):
    """The CleanImage of an uploaded picture; ValidationError, with a message an editor
    can act on, for anything else."""
    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationError(
            f"This picture is {upload.size / MEGABYTE:.1f} MB; the limit is "
            f"{_megabytes(IMAGE_MAX_BYTES)}. Export it smaller and upload it again."
        )
    if _looks_like_markup(_head(upload)):
        raise ValidationError(
            "SVG, HTML and other markup files are not accepted: upload a JPEG, PNG or WebP picture."
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large picture while opening it; the limit checked below,
            # before anything is decoded, is this portal's, and lower.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            picture = Image.open(upload, formats=IMAGE_FORMATS)
    except Image.DecompressionBombError:
        raise ValidationError(_too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            "This file is not a JPEG, PNG or WebP picture (whatever its name says)."
        ) from None
    with picture:
        width, height = picture.size
        if width * height > IMAGE_MAX_PIXELS:
            raise ValidationError(_too_many_pixels(width, height))
        if min(width, height) < IMAGE_MIN_SIDE:
            raise ValidationError(
                f"This picture is {width} x {height} pixels; it needs at least "
                f"{IMAGE_MIN_SIDE} pixels on each side to be clear on a phone."
            )
        try:
            picture.load()
            upright = ImageOps.exif_transpose(picture)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise ValidationError(
                "This picture could not be read to the end: the file may be damaged or "
                "cut short. Export it again and upload it."
            ) from None
        return CleanImage(renditions=_renditions(upright))


def _too_many_pixels(width=None, height=None):
    size = f"{width} x {height} pixels" if width else "far too many pixels"
    return (
        f"This picture has {size}; the limit is {IMAGE_MAX_PIXELS // 1_000_000} million "
        "pixels. Resize it (1600 pixels wide is plenty) and upload it again."
    )


def _renditions(picture):
    # A palette or greyscale picture keeps its transparency as RGBA; the rest is RGB.
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    picture = picture.convert("RGBA" if has_alpha else "RGB")
    widths = sorted({min(width, picture.width) for width in IMAGE_WIDTHS})
    renditions = []
    for width in widths:
        height = max(1, round(picture.height * width / picture.width))
        resized = (
            picture
            if width == picture.width
            else picture.resize((width, height), Image.Resampling.LANCZOS)
        )
        out = io.BytesIO()
        # Saved without exif=, icc_profile= or xmp=: nothing of the upload's metadata.
        resized.save(out, format="WEBP", quality=IMAGE_QUALITY, method=4)
        renditions.append(Rendition(width=width, height=height, content=out.getvalue()))
    return renditions


def video_kind(upload):
    """ "mp4" or "webm", read from the file's first bytes; ValidationError otherwise."""
    if upload.size > VIDEO_MAX_BYTES:
        raise ValidationError(
            f"This video is {upload.size / MEGABYTE:.0f} MB; the limit is "
            f"{_megabytes(VIDEO_MAX_BYTES)}. A short clip (under a minute, 720p) fits."
        )
    head = _head(upload)
    # An ISO base media file (MP4) opens with a box whose type is "ftyp"; a WebM file is
    # a Matroska (EBML) document whose doctype is "webm".
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return "webm"
    raise ValidationError("This file is not an MP4 or WebM video (whatever its name says).")


def captions_read(upload):
    """The text of a WebVTT captions file; ValidationError unless it is one."""
    if upload.size > CAPTIONS_MAX_BYTES:
        raise ValidationError(
            f"This captions file is larger than {CAPTIONS_MAX_BYTES // 1024} KB; captions "
            "for a short video are a few KB."
        )
    upload.seek(0)
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("Captions must be a WebVTT file saved as UTF-8 text.") from None
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if first_line != "WEBVTT" and not first_line.startswith(("WEBVTT ", "WEBVTT\t")):
        raise ValidationError("Captions must be a WebVTT file: its first line is WEBVTT.")
    if "-->" not in text:
        raise ValidationError("This captions file has no cues (lines with a time and -->).")
    return text
