"""Fulfilment photos: checked to be real images of a bounded size, re-encoded (which drops
EXIF and any other metadata, such as a name typed into the camera) and kept under MEDIA_ROOT.
They are served only through the wish views, never from a public media URL."""

import io
import uuid
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from gongjian.core.services import DomainError

MAX_SIDE = 2000
FOLDER = "wishes"


def _refuse(message):
    return DomainError(message, field="photo", status=400)


def read_image(upload) -> Image.Image:
    """The uploaded file as a decoded image, or a Chinese refusal naming the photo field."""
    if upload is None:
        raise _refuse("请上传心愿实现的照片。")
    size = getattr(upload, "size", None)
    if size is None or size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES / (1024 * 1024)
        raise _refuse(f"照片不能超过 {limit:g} MB。")
    data = upload.read()
    if not data:
        raise _refuse("照片文件是空的。")
    try:
        probe = Image.open(io.BytesIO(data))
        probe.verify()  # structure check; the image must be reopened to be used
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise _refuse("上传的文件不是有效的图片（支持 JPG、PNG 等常见格式）。") from None
    return image


def store(image: Image.Image) -> str:
    """Re-encode as JPEG without metadata; returns the path relative to MEDIA_ROOT."""
    image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF said, then drop it
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    relative = f"{FOLDER}/{uuid.uuid4().hex}.jpg"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    target.write_bytes(buffer.getvalue())
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
