"""The content editors' forms for pictures and video: each upload is checked by
portal.uploads before anything is stored, and written out (exercises.pictures) only when
the whole page saves."""

from django import forms
from django.core.files.uploadedfile import UploadedFile

from exercises import pictures
from exercises.models import LevelImage, LevelVideo, Step
from portal import uploads

PICTURE_HELP = (
    "A JPEG, PNG or WebP picture, up to 10 MB and 40 million pixels. It is resized for "
    "phones and its metadata (camera, place) is removed."
)
ALT_TEXT_NEEDED = "Describe the picture for people who cannot see it (alt text)."


class PictureFormMixin:
    """A Picture's upload field (``upload``) and, with ``removable``, a box that takes
    the picture off. ``picture_required`` refuses a row left without one."""

    picture_required = False
    removable = False

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        self.clean_image = uploads.image_read(upload) if upload else None
        return upload

    def clean(self):
        cleaned = super().clean()
        removing = self.removable and cleaned.get("remove_picture")
        if self.errors.get("upload"):
            return cleaned
        will_have = self.clean_image is not None or (self.instance.has_picture and not removing)
        if self.picture_required and not will_have:
            self.add_error("upload", "Choose a picture to upload.")
        if will_have and not (cleaned.get("alt_text") or "").strip():
            self.add_error("alt_text", ALT_TEXT_NEEDED)
        return cleaned

    def save(self, commit=True):
        if self.clean_image is not None:
            pictures.picture_set(self.instance, self.clean_image)
        elif self.removable and self.cleaned_data.get("remove_picture"):
            pictures.picture_clear(self.instance)
        return super().save(commit)


class LevelImageForm(PictureFormMixin, forms.ModelForm):
    picture_required = True
    upload = forms.FileField(label="Picture", required=False, help_text=PICTURE_HELP)

    class Meta:
        model = LevelImage
        fields = ["order", "upload", "alt_text"]


class StepForm(PictureFormMixin, forms.ModelForm):
    removable = True
    upload = forms.FileField(label="Picture", required=False, help_text=PICTURE_HELP)
    remove_picture = forms.BooleanField(label="Remove the picture", required=False)

    class Meta:
        model = Step
        fields = ["order", "text", "is_the_hold", "upload", "alt_text", "remove_picture"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class LevelVideoForm(PictureFormMixin, forms.ModelForm):
    """The video, its poster (the picture fields) and captions or a text alternative."""

    picture_required = True
    upload = forms.FileField(
        label="Poster picture",
        required=False,
        help_text="Shown before the video plays. " + PICTURE_HELP,
    )

    class Meta:
        model = LevelVideo
        fields = ["video", "upload", "alt_text", "captions", "transcript"]
        help_texts = {
            "video": "An MP4 or WebM clip, up to 60 MB: a short one, under a minute.",
            "alt_text": "What the poster picture shows.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What is stored now, deleted once a new upload or a cleared box replaces it.
        self.stored = {"video": self.instance.video.name, "captions": self.instance.captions.name}

    def clean_video(self):
        video = self.cleaned_data.get("video")
        if isinstance(video, UploadedFile):
            self.instance.video_type = uploads.video_kind(video)
            # Stored (and served by an object store) as what it is, never as what the
            # browser said it was.
            video.content_type = f"video/{self.instance.video_type}"
        return video

    def clean_captions(self):
        captions = self.cleaned_data.get("captions")
        if isinstance(captions, UploadedFile):
            uploads.captions_read(captions)
            captions.content_type = "text/vtt"
        return captions

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("captions") and not (cleaned.get("transcript") or "").strip():
            self.add_error(
                "transcript",
                "Give captions or a text alternative, for people who cannot hear or see it.",
            )
        return cleaned

    def save(self, commit=True):
        pictures.files_discard(
            [self.stored[name] for name in ("video", "captions") if name in self.changed_data]
        )
        return super().save(commit)
