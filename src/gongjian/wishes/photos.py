"""Fulfilment photos: checked and re-encoded by `core.images` (which drops EXIF and any other
metadata, such as a name typed into the camera) and kept under MEDIA_ROOT.
They are served only through the wish views, never from a public media URL."""

import uuid
from pathlib import Path

from django.conf import settings

from gongjian.core.images import clean_jpeg
from gongjian.core.services import DomainError

FOLDER = "wishes"


def read_image(upload) -> bytes:
    """The uploaded photo as metadata-free JPEG bytes, or a Chinese refusal naming the photo
    field; nothing is written yet."""
    if upload is None:
        raise DomainError("请上传心愿实现的照片。", field="photo", status=400)
    return clean_jpeg(upload, field="photo")


def store(image: bytes) -> str:
    """Write the JPEG bytes from `read_image`; returns the path relative to MEDIA_ROOT."""
    relative = f"{FOLDER}/{uuid.uuid4().hex}.jpg"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(image)
    return relative


def path_of(relative: str) -> Path | None:
    if not relative:
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / relative).resolve()
    if root not in target.parents or not target.is_file():
        return None
    return target


def remove(relative: str) -> None:
    target = path_of(relative)
    if target is not None:
        target.unlink(missing_ok=True)
