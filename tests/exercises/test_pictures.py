"""Pictures and video in the admin: a content editor uploads them on a level's page; bad
ones are refused with a message and nothing is stored; good ones are kept resized and
without metadata, and the library's pages show them with their alt text."""

import io

import exifread
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from exercises.models import Level, LevelImage, LevelVideo, Step
from tests.factories import make_exercise, make_level, make_prescription

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(2000)
CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:05.000\nLie on your back on the bed.\n"


def jpeg(size=(1200, 900), *, gps=True):
    exif = Image.Exif()
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (45.0, 30.0, 0.0)})
    out = io.BytesIO()
    Image.new("RGB", size, "#0a4fae").save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("bench.jpg", out.getvalue(), content_type="image/jpeg")


def png_bomb():
    out = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(out, format="PNG", optimize=True)
    return SimpleUploadedFile("small.png", out.getvalue(), content_type="image/png")


def file(content, name, content_type):
    return SimpleUploadedFile(name, content, content_type=content_type)


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def level_page_data(level, *, images=(), video=None, steps=None):
    """The POST data of a level's admin page: its fields, its steps as they are (or
    ``steps``: {step: extra fields}), new pictures and a new video."""
    data = {
        field: getattr(level, field)
        for field in [
            "exercise_id",
            "number",
            "title",
            "purpose",
            "equipment",
            "hold_min_seconds",
            "hold_max_seconds",
            "get_ready_seconds",
            "rest_seconds",
            "intensity_tip",
            "cautions",
        ]
    }
    data["exercise"] = data.pop("exercise_id")
    data["each_side"] = "on" if level.each_side else ""
    data["published"] = "on" if level.published else ""
    existing = list(level.steps.all())
    data |= management("steps", len(existing), len(existing))
    for index, step in enumerate(existing):
        data |= {
            f"steps-{index}-id": step.pk,
            f"steps-{index}-level": level.pk,
            f"steps-{index}-order": step.order,
            f"steps-{index}-text": step.text,
            f"steps-{index}-alt_text": step.alt_text,
        }
        if step.is_the_hold:
            data[f"steps-{index}-is_the_hold"] = "on"
        for name, value in (steps or {}).get(step.order, {}).items():
            data[f"steps-{index}-{name}"] = value
    shown = list(level.images.all())
    data |= management("images", len(shown) + len(images), len(shown))
    for index, image in enumerate(shown):
        data |= {
            f"images-{index}-id": image.pk,
            f"images-{index}-level": level.pk,
            f"images-{index}-order": image.order,
            f"images-{index}-alt_text": image.alt_text,
        }
    for index, fields in enumerate(images, len(shown)):
        data |= {f"images-{index}-{name}": value for name, value in fields.items()}
    data |= management("video", 1 if video else 0)
    for name, value in (video or {}).items():
        data[f"video-0-{name}"] = value
    return data


def level_page(level):
    return reverse("admin:exercises_level_change", args=[level.pk])


@pytest.fixture
def editor_client(client, erin):
    client.force_login(erin)
    return client


@pytest.fixture
def calf(db):
    return make_level(make_exercise(name="Calf stretch", slug="calf"), 1)


def stored_files(media_root):
    return sorted(
        p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file()
    )


def errors_of(response):
    formsets = response.context["inline_admin_formsets"]
    return " ".join(
        str(error)
        for formset in formsets
        for form in formset.formset
        for error in form.errors.values()
    )


class TestAGoodPicture:
    def test_it_is_stored_resized_and_without_its_metadata(self, editor_client, calf, media_root):
        data = level_page_data(
            calf,
            images=[{"order": 1, "upload": jpeg(), "alt_text": "Facing a wall, one foot back."}],
        )
        response = editor_client.post(level_page(calf), data)
        assert response.status_code == 302, errors_of(response)
        image = LevelImage.objects.get(level=calf)
        assert image.alt_text == "Facing a wall, one foot back."
        assert [(r["width"], r["height"]) for r in image.renditions] == [
            (480, 360),
            (960, 720),
            (1200, 900),
        ]
        assert (image.width, image.height) == (1200, 900)
        files = stored_files(media_root)
        assert files == sorted(r["name"] for r in image.renditions)
        # Generated names: nothing of "bench.jpg".
        assert all(name.startswith("pictures/") and "bench" not in name for name in files)
        for name in files:
            content = (media_root / name).read_bytes()
            assert exifread.process_file(io.BytesIO(content), details=False) == {}

    def test_replacing_it_deletes_the_old_files_once_saved(
        self, editor_client, calf, media_root, django_capture_on_commit_callbacks
    ):
        first = level_page_data(calf, images=[{"order": 1, "upload": jpeg(), "alt_text": "Wall."}])
        editor_client.post(level_page(calf), first)
        before = stored_files(media_root)
        image = LevelImage.objects.get(level=calf)
        data = level_page_data(calf)
        data["images-0-upload"] = jpeg((800, 600))
        with django_capture_on_commit_callbacks(execute=True):
            assert editor_client.post(level_page(calf), data).status_code == 302
        image.refresh_from_db()
        after = stored_files(media_root)
        assert not set(before) & set(after)
        assert after == sorted(r["name"] for r in image.renditions)

    def test_removing_it_deletes_its_files(
        self, editor_client, calf, media_root, django_capture_on_commit_callbacks
    ):
        editor_client.post(
            level_page(calf),
            level_page_data(calf, images=[{"order": 1, "upload": jpeg(), "alt_text": "Wall."}]),
        )
        data = level_page_data(calf)
        data["images-0-DELETE"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            assert editor_client.post(level_page(calf), data).status_code == 302
        assert not calf.images.exists()
        assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("upload", "alt_text", "message"),
    [
        (
            lambda: file(b"just words", "photo.jpg", "image/jpeg"),
            "A wall.",
            "not a JPEG, PNG or WebP",
        ),
        (
            lambda: file(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "d.svg", "image/svg+xml"),
            "A wall.",
            "SVG, HTML and other markup files are not accepted",
        ),
        (
            lambda: file(b"\xff\xd8" + bytes(10 * 1024 * 1024), "big.jpg", "image/jpeg"),
            "A wall.",
            "the limit is 10 MB",
        ),
        (png_bomb, "A wall.", "the limit is 40 million pixels"),
        (jpeg, "", "Describe the picture for people who cannot see it"),
        (jpeg, "   ", "Describe the picture for people who cannot see it"),
    ],
    ids=["not-a-picture", "svg", "too-big", "too-many-pixels", "no-alt-text", "blank-alt-text"],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_stored(
    editor_client, calf, media_root, upload, alt_text, message
):
    data = level_page_data(calf, images=[{"order": 1, "upload": upload(), "alt_text": alt_text}])
    response = editor_client.post(level_page(calf), data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not calf.images.exists()
    assert stored_files(media_root) == []


def test_a_picture_row_without_a_picture_is_refused(editor_client, calf):
    data = level_page_data(calf, images=[{"order": 1, "alt_text": "A wall."}])
    response = editor_client.post(level_page(calf), data)
    assert "Choose a picture to upload." in errors_of(response)


def test_a_bad_picture_on_one_row_keeps_the_whole_page_unsaved(editor_client, calf, media_root):
    data = level_page_data(
        calf,
        images=[
            {"order": 1, "upload": jpeg(), "alt_text": "A wall."},
            {"order": 2, "upload": file(b"<html></html>", "x.png", "image/png"), "alt_text": "B"},
        ],
    )
    data["title"] = "Renamed"
    assert editor_client.post(level_page(calf), data).status_code == 200
    calf.refresh_from_db()
    assert calf.title == "Stage 1"
    assert stored_files(media_root) == []


class TestStepPictures:
    def test_a_step_gets_a_picture_and_loses_it(
        self, editor_client, calf, media_root, django_capture_on_commit_callbacks
    ):
        data = level_page_data(calf, steps={1: {"upload": jpeg(), "alt_text": "Lying down."}})
        assert editor_client.post(level_page(calf), data).status_code == 302
        step = Step.objects.get(level=calf, order=1)
        assert step.has_picture
        assert step.alt_text == "Lying down."
        assert stored_files(media_root)
        data = level_page_data(calf, steps={1: {"remove_picture": "on"}})
        with django_capture_on_commit_callbacks(execute=True):
            assert editor_client.post(level_page(calf), data).status_code == 302
        step.refresh_from_db()
        assert not step.has_picture
        assert stored_files(media_root) == []

    def test_a_steps_picture_needs_its_description(self, editor_client, calf, media_root):
        data = level_page_data(calf, steps={1: {"upload": jpeg(), "alt_text": ""}})
        response = editor_client.post(level_page(calf), data)
        assert "Describe the picture" in errors_of(response)
        assert stored_files(media_root) == []


class TestVideo:
    def video(self, **fields):
        return {
            "video": file(MP4, "clip.mp4", "video/mp4"),
            "upload": jpeg(),
            "alt_text": "Lying on a bench, ready to start.",
            "captions": file(CAPTIONS, "clip.vtt", "text/vtt"),
            "transcript": "",
        } | fields

    def test_a_video_with_its_poster_and_captions_is_kept(self, editor_client, calf, media_root):
        response = editor_client.post(level_page(calf), level_page_data(calf, video=self.video()))
        assert response.status_code == 302, errors_of(response)
        video = LevelVideo.objects.get(level=calf)
        assert video.video_type == "mp4"
        assert video.video.name.startswith("videos/")
        assert video.video.name.endswith(".mp4")
        assert video.captions.name.startswith("captions/")
        assert (media_root / video.video.name).read_bytes() == MP4
        page = editor_client.get(calf.get_absolute_url()).content.decode()
        assert f'<source src="/media/{video.video.name}" type="video/mp4">' in page
        assert 'kind="captions"' in page
        assert "Lying on a bench, ready to start." in page

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"captions": "", "transcript": ""}, "Give captions or a text alternative"),
            ({"video": file(b"RIFF....AVI ", "clip.mp4", "video/mp4")}, "not an MP4 or WebM"),
            ({"captions": file(b"not captions", "c.vtt", "text/vtt")}, "its first line is WEBVTT"),
            ({"upload": ""}, "Choose a picture to upload."),
            ({"alt_text": ""}, "Describe the picture"),
        ],
        ids=["no-captions-or-text", "not-a-video", "bad-captions", "no-poster", "no-poster-text"],
    )
    def test_what_a_video_needs_is_asked_for(
        self, editor_client, calf, media_root, fields, message
    ):
        data = level_page_data(calf, video=self.video(**fields))
        response = editor_client.post(level_page(calf), data)
        assert response.status_code == 200
        assert message in errors_of(response)
        assert not LevelVideo.objects.exists()
        assert stored_files(media_root) == []

    def test_a_text_alternative_may_stand_for_captions(self, editor_client, calf):
        fields = {"captions": "", "transcript": "She lies down and draws one knee in."}
        response = editor_client.post(
            level_page(calf), level_page_data(calf, video=self.video(**fields))
        )
        assert response.status_code == 302
        page = editor_client.get(calf.get_absolute_url()).content.decode()
        assert "She lies down and draws one knee in." in page


class TestWhereTheyShow:
    """The shipped illustrations of the psoas program, on every page that shows a level."""

    def test_the_level_page_shows_the_level_and_its_steps(self, client, alice_rx, level_1):
        client.force_login(alice_rx.patient.user)
        page = client.get(level_1.get_absolute_url()).content.decode()
        assert 'src="/static/illustrations/psoas-level-1.svg"' in page
        assert 'alt="Lying on the back on a bed, one knee drawn to the chest' in page
        assert 'src="/static/illustrations/psoas-level-1-knee.svg"' in page

    @pytest.mark.parametrize("page_name", ["today", "print", "library"])
    def test_the_patients_pages_show_the_levels_picture(self, client, alice_rx, page_name):
        client.force_login(alice_rx.patient.user)
        url = (
            reverse("exercises:library")
            if page_name == "library"
            else reverse(f"patients:{page_name}")
        )
        page = client.get(url).content.decode()
        assert "/static/illustrations/psoas-level-1.svg" in page
        assert 'alt="Lying on the back on a bed' in page

    def test_the_timer_shows_the_held_position_beside_the_clock(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        page = client.get(reverse("patients:timer", args=[alice_rx.pk])).content.decode()
        timer = page[page.index('id="timer"') : page.index('id="timer-start"')]
        assert "timer-picture" in timer
        assert "psoas-level-1.svg" in timer

    def test_today_lists_the_pictures_to_keep_offline(self, client, alice_rx):
        client.force_login(alice_rx.patient.user)
        response = client.get(reverse("patients:today"))
        page = response.content.decode()
        assert '<script id="offline-pictures" type="application/json">' in page
        assert "/static/illustrations/psoas-level-1-start.svg" in page

    def test_an_uploaded_picture_comes_with_its_srcset(self, client, alice_rx, level_1):
        image = LevelImage.objects.get(level=level_1)
        image.illustration = ""
        image.renditions = [
            {"name": "pictures/a-480.webp", "width": 480, "height": 312},
            {"name": "pictures/a-960.webp", "width": 960, "height": 624},
        ]
        image.width, image.height = 960, 624
        image.save()
        client.force_login(alice_rx.patient.user)
        page = client.get(level_1.get_absolute_url()).content.decode()
        assert 'srcset="/media/pictures/a-480.webp 480w, /media/pictures/a-960.webp 960w"' in page
        assert 'width="960" height="624"' in page


def test_the_level_admin_links_to_the_patients_view(editor_client, level_1):
    page = editor_client.get(level_page(level_1)).content.decode()
    assert "See this level as a patient does" in page
    assert level_1.get_absolute_url() in page
    # The shipped illustration is shown small beside its row.
    assert 'src="/static/illustrations/psoas-level-1.svg"' in page


def test_a_level_without_pictures_shows_none(client, alice_patient, today):
    level = make_level(make_exercise(name="Neck stretch", slug="neck"), 1)
    make_prescription(alice_patient, level, start_date=today)
    client.force_login(alice_patient.user)
    page = client.get(reverse("patients:today")).content.decode()
    assert "today-picture" not in page.split("Neck stretch")[1].split("</article>")[0]
    assert Level.objects.get(pk=level.pk).main_image is None


class TestTheHoldStep:
    def test_the_hold_moves_from_one_step_to_another_in_one_save(self, editor_client, level_1):
        assert level_1.hold_step.order == 4
        data = level_page_data(level_1, steps={3: {"is_the_hold": "on"}, 4: {"is_the_hold": ""}})
        response = editor_client.post(level_page(level_1), data)
        assert response.status_code == 302, errors_of(response)
        assert Level.objects.get(pk=level_1.pk).hold_step.order == 3

    def test_two_holds_are_refused_with_a_message(self, editor_client, level_1):
        data = level_page_data(level_1, steps={3: {"is_the_hold": "on"}, 4: {"is_the_hold": "on"}})
        response = editor_client.post(level_page(level_1), data)
        assert response.status_code == 200
        errors = " ".join(
            str(error)
            for inline in response.context["inline_admin_formsets"]
            for error in inline.formset.non_form_errors()
        )
        assert "Only one step of a level is the hold" in errors
        assert Level.objects.get(pk=level_1.pk).hold_step.order == 4


def test_deleting_a_level_deletes_its_files_once_deleted(
    editor_client, calf, media_root, django_capture_on_commit_callbacks
):
    data = level_page_data(
        calf,
        images=[{"order": 1, "upload": jpeg(), "alt_text": "Wall."}],
        steps={1: {"upload": jpeg((900, 600)), "alt_text": "Facing the wall."}},
    )
    assert editor_client.post(level_page(calf), data).status_code == 302
    assert len(stored_files(media_root)) == 5  # 480, 960, 1200 wide; the step 480, 900
    delete = reverse("admin:exercises_level_delete", args=[calf.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Level.objects.filter(pk=calf.pk).exists()
    assert stored_files(media_root) == []
