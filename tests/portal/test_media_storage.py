"""Where uploads are kept: the file system by default; an S3-compatible object store
when PORTAL_MEDIA_BUCKET is set, tried here against moto's S3 (boto3 and
django-storages as production runs them, the object store played by moto)."""

import io

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws
from PIL import Image

from exercises import pictures
from exercises.models import LevelImage
from portal import uploads
from portal.env import MEDIA_CACHE_CONTROL, env_media_storage

BUCKET = "holdfast-media"


def settings_for(**options):
    return env_media_storage(
        **{"bucket": None, "endpoint": None, "region": None, "domain": None} | options
    )


def test_without_a_bucket_uploads_stay_on_the_file_system():
    media = settings_for()
    assert media.storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media.origins == ()


def test_a_bucket_elsewhere_than_amazon_is_reached_at_its_endpoint():
    media = settings_for(bucket=BUCKET, endpoint="https://objects.clinic.example")
    assert media.storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media.storage["OPTIONS"]["endpoint_url"] == "https://objects.clinic.example"
    assert media.storage["OPTIONS"]["querystring_auth"] is False
    # The pages' CSP lets pictures and video come from there.
    assert media.origins == ("https://objects.clinic.example",)


def test_a_media_domain_must_be_a_host_name():
    with pytest.raises(ImproperlyConfigured, match="PORTAL_MEDIA_DOMAIN"):
        settings_for(bucket=BUCKET, domain="https://media.clinic.example/x")


@pytest.fixture
def object_store(settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        media = settings_for(bucket=BUCKET, region="us-east-1", domain="media.clinic.example")
        settings.STORAGES = {**settings.STORAGES, "default": media.storage}
        yield client


@pytest.mark.django_db
def test_pictures_go_to_the_bucket_with_a_years_cache_and_come_back_from_it(
    object_store, level_1, django_capture_on_commit_callbacks
):
    out = io.BytesIO()
    Image.new("RGB", (1000, 650), "#0a4fae").save(out, format="JPEG")
    clean = uploads.image_read(SimpleUploadedFile("bench.jpg", out.getvalue()))
    image = LevelImage(level=level_1, order=2, alt_text="A bench by a window.")
    pictures.picture_set(image, clean)
    image.save()

    names = image.stored_names()
    assert len(names) == 3
    for name in names:
        stored = object_store.head_object(Bucket=BUCKET, Key=name)
        assert stored["ContentType"] == "image/webp"
        assert stored["CacheControl"] == MEDIA_CACHE_CONTROL
    assert image.src == f"https://media.clinic.example/{names[-1]}"
    assert image.srcset.startswith(f"https://media.clinic.example/{names[0]} 480w")

    with django_capture_on_commit_callbacks(execute=True):
        pictures.files_discard(image.stored_names())
        image.delete()
    listed = object_store.list_objects_v2(Bucket=BUCKET)
    assert listed["KeyCount"] == 0


def test_the_csp_names_this_bucket_only_not_every_bucket():
    media = settings_for(bucket=BUCKET, region="eu-west-3")
    assert media.origins == (
        f"https://{BUCKET}.s3.amazonaws.com",
        f"https://{BUCKET}.s3.eu-west-3.amazonaws.com",
    )


def test_an_object_store_on_an_ip_address_keeps_its_address(monkeypatch):
    from portal.env import env_origin

    monkeypatch.setenv("PORTAL_MEDIA_ENDPOINT", "http://10.0.0.5:9000/")
    assert env_origin("PORTAL_MEDIA_ENDPOINT", None, for_passkeys=False) == "http://10.0.0.5:9000"


@pytest.mark.django_db
def test_a_video_and_its_captions_are_stored_as_what_they_are(object_store, level_1):
    from exercises.forms import LevelVideoForm
    from exercises.models import LevelVideo

    out = io.BytesIO()
    Image.new("RGB", (800, 500), "#0a4fae").save(out, format="JPEG")
    claimed_html = {"content_type": "text/html"}
    form = LevelVideoForm(
        data={"alt_text": "On a bench.", "transcript": ""},
        files={
            "video": SimpleUploadedFile(
                "a.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(64), **claimed_html
            ),
            "upload": SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg"),
            "captions": SimpleUploadedFile(
                "c.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\n<b>Lie down</b>\n", **claimed_html
            ),
        },
        instance=LevelVideo(level=level_1),
    )
    assert form.is_valid(), form.errors
    video = form.save()
    stored = {
        name: object_store.head_object(Bucket=BUCKET, Key=name)["ContentType"]
        for name in (video.video.name, video.captions.name)
    }
    assert stored == {video.video.name: "video/mp4", video.captions.name: "text/vtt"}
