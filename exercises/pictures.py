"""Where the library's pictures and videos are kept: Django's default storage (the file
system under MEDIA_ROOT, or an S3-compatible object store; see settings).

A picture's renditions are written under generated names when an editor's upload has
passed portal.uploads; the files a change leaves behind (a replaced picture, a removed
one) are deleted once the change is committed, so a change that fails keeps its files.
"""

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from exercises.models import LevelImage, LevelVideo, Step

logger = logging.getLogger(__name__)

FOLDER = "pictures"


def picture_set(picture, clean_image):
    """Give ``picture`` (a Picture, saved by the caller) the renditions of
    ``clean_image``, written to storage now."""
    left_behind = picture.stored_names()
    stem = uuid.uuid4().hex
    renditions = []
    for rendition in clean_image.renditions:
        name = default_storage.save(
            f"{FOLDER}/{stem}-{rendition.width}.{clean_image.extension}",
            ContentFile(rendition.content),
        )
        renditions.append({"name": name, "width": rendition.width, "height": rendition.height})
    picture.renditions = renditions
    picture.illustration = ""
    picture.width, picture.height = clean_image.width, clean_image.height
    files_discard(left_behind)


def picture_clear(picture):
    """Take the picture off ``picture`` (saved by the caller)."""
    files_discard(picture.stored_names())
    picture.renditions, picture.illustration = [], ""
    picture.width = picture.height = None


def files_discard(names):
    """Delete these stored files once the current transaction commits."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: _delete(names))


def _delete(names):
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            # Whatever the storage raises (a file system's OSError, an object store's
            # client error), a file that stays behind costs some storage and no more.
            logger.warning("Could not delete the stored file %s", name, exc_info=True)


def level_files(levels):
    """Every stored file of these levels: their pictures', their steps', their videos'
    (the video, its captions and its poster)."""
    names = []
    for picture in [
        *LevelImage.objects.filter(level__in=levels),
        *Step.objects.filter(level__in=levels, illustration="", width__isnull=False),
    ]:
        names.extend(picture.stored_names())
    for video in LevelVideo.objects.filter(level__in=levels):
        names.extend([video.video.name, video.captions.name, *video.stored_names()])
    return names
