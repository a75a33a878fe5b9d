"""Uploads read as untrusted input (portal.uploads): the type from the content, limits on
size and pixels, metadata gone from what is kept. The pictures kept are read back with
ExifRead, a parser the portal does not use, as well as with Pillow."""

import io

import exifread
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal import uploads

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


COLOURS = {"1": 1, "RGBA": (58, 123, 213, 128)}


def picture_bytes(size=(1200, 800), *, fmt="JPEG", mode="RGB", exif=None, **save):
    out = io.BytesIO()
    picture = Image.new(mode, size, COLOURS.get(mode, "#3a7bd5"))
    if exif is not None:
        save["exif"] = exif
    picture.save(out, format=fmt, **save)
    return out.getvalue()


def upload(content, name="picture.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def camera_exif(orientation=1):
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    # 45° 30' N, 73° 34' W: where the picture was taken.
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (45.0, 30.0, 0.0), 3: "W", 4: (73.0, 34.0, 0.0)})
    return exif


def refusal(file):
    with pytest.raises(ValidationError) as refused:
        uploads.image_read(file)
    return " ".join(refused.value.messages)


class TestPicturesKept:
    def test_a_photo_loses_its_camera_and_place(self):
        clean = uploads.image_read(upload(picture_bytes(exif=camera_exif())))
        assert clean.content_type == "image/webp"
        for rendition in clean.renditions:
            assert exifread.process_file(io.BytesIO(rendition.content), details=False) == {}
            assert b"Exif" not in rendition.content
            assert b"PhoneMaker" not in rendition.content
            with Image.open(io.BytesIO(rendition.content)) as kept:
                assert kept.format == "WEBP"
                assert not {"exif", "icc_profile", "xmp"} & set(kept.info)

    def test_the_photo_given_really_had_them(self):
        """The check above means something: ExifRead finds the GPS in the upload."""
        tags = exifread.process_file(io.BytesIO(picture_bytes(exif=camera_exif())))
        assert "GPS GPSLatitude" in tags
        assert str(tags["Image Make"]) == "PhoneMaker"

    def test_a_sideways_photo_is_turned_upright_before_its_orientation_goes(self):
        # Orientation 6: the camera was turned; the picture shows upright rotated 90°.
        clean = uploads.image_read(upload(picture_bytes((1200, 800), exif=camera_exif(6))))
        assert (clean.width, clean.height) == (800, 1200)

    def test_it_is_kept_at_each_width_up_to_its_own(self):
        clean = uploads.image_read(upload(picture_bytes((2000, 1000))))
        assert [(r.width, r.height) for r in clean.renditions] == [
            (480, 240),
            (960, 480),
            (1600, 800),
        ]
        small = uploads.image_read(upload(picture_bytes((700, 400), fmt="PNG")))
        assert [r.width for r in small.renditions] == [480, 700]

    def test_transparency_survives(self):
        clean = uploads.image_read(upload(picture_bytes(fmt="PNG", mode="RGBA"), "a.png"))
        with Image.open(io.BytesIO(clean.renditions[0].content)) as kept:
            assert kept.mode == "RGBA"

    def test_the_name_does_not_matter_the_content_does(self):
        png_named_jpeg = upload(picture_bytes(fmt="PNG"), "photo.jpg", "image/jpeg")
        assert uploads.image_read(png_named_jpeg).width == 1200


class TestPicturesRefused:
    def test_text_named_like_a_picture(self):
        assert "not a JPEG, PNG or WebP picture" in refusal(
            upload(b"GIF89a? no: just some text, really", "photo.jpg")
        )

    def test_a_real_gif(self):
        assert "not a JPEG, PNG or WebP picture" in refusal(
            upload(picture_bytes(fmt="GIF", mode="P"), "anim.gif", "image/gif")
        )

    @pytest.mark.parametrize(
        "content",
        [
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            b'\xef\xbb\xbf  <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            b"\n<!doctype html><html><body>hi</body></html>",
        ],
    )
    def test_svg_and_html(self, content):
        assert "SVG, HTML and other markup files are not accepted" in refusal(
            upload(content, "drawing.png", "image/png")
        )

    def test_too_many_bytes(self):
        big = upload(b"\xff\xd8" + bytes(uploads.IMAGE_MAX_BYTES), "huge.jpg")
        assert "the limit is 10 MB" in refusal(big)

    def test_too_many_pixels_in_a_small_file(self):
        content = picture_bytes((8000, 6000), fmt="PNG", mode="1", optimize=True)
        assert len(content) < 100_000
        assert "8000 x 6000 pixels; the limit is 40 million" in refusal(upload(content, "a.png"))

    def test_a_decompression_bomb_is_refused_before_it_is_decoded(self):
        content = picture_bytes((14000, 14000), fmt="PNG", mode="1", optimize=True)
        assert "the limit is 40 million pixels" in refusal(upload(content, "bomb.png"))

    def test_a_file_cut_short(self):
        content = picture_bytes((1600, 1200), quality=95)
        assert "could not be read to the end" in refusal(upload(content[: len(content) // 3]))

    def test_a_picture_too_small_to_see_on_a_phone(self):
        assert "at least 200 pixels on each side" in refusal(upload(picture_bytes((150, 400))))


MP4_START = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
WEBM_START = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm"


class TestVideo:
    @pytest.mark.parametrize(("content", "kind"), [(MP4_START, "mp4"), (WEBM_START, "webm")])
    def test_its_kind_comes_from_its_first_bytes(self, content, kind):
        assert uploads.video_kind(upload(content + bytes(100), "clip.bin", "x/y")) == kind

    def test_anything_else_is_refused_whatever_its_name(self):
        with pytest.raises(ValidationError, match="not an MP4 or WebM video"):
            uploads.video_kind(upload(picture_bytes(), "clip.mp4", "video/mp4"))

    def test_a_long_film_is_refused(self):
        with pytest.raises(ValidationError, match="the limit is 60 MB"):
            uploads.video_kind(upload(MP4_START + bytes(uploads.VIDEO_MAX_BYTES), "a.mp4"))


class TestCaptions:
    def test_webvtt_is_read(self):
        text = "WEBVTT\n\n00:00.000 --> 00:04.000\nLie on your back.\n"
        assert uploads.captions_read(upload(("\ufeff" + text).encode(), "c.vtt")) == text

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"1\n00:00:00,000 --> 00:00:04,000\nSRT, not VTT\n", "its first line is WEBVTT"),
            (b"WEBVTT\n\nNOTE nothing timed here\n", "no cues"),
            (b"WEBVTT\n\n00:00.000 --> 00:01.000\n\xff\xfe\n", "saved as UTF-8"),
        ],
    )
    def test_anything_else_is_refused(self, content, message):
        with pytest.raises(ValidationError, match=message):
            uploads.captions_read(upload(content, "c.vtt", "text/vtt"))
