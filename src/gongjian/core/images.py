"""Uploaded photos: checked to be real images of a bounded size and pixel count, then
re-encoded as JPEG, which drops EXIF (GPS position, camera owner's name) and any other
metadata. Only the re-encoded bytes are ever stored."""

import io
import warnings

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from gongjian.core.services import DomainError

# Bounds what decoding may cost: a small file can declare an enormous canvas.
MAX_PIXELS = 50_000_000
MAX_SIDE = 2000
QUALITY = 85


def _named(upload):
    name = getattr(upload, "name", "") or ""
    return f"“{name}”" if name else ""


def clean_jpeg(upload, *, field="photo", max_side=MAX_SIDE) -> bytes:
    """The upload as JPEG bytes without metadata, or a Chinese DomainError (400) on `field`."""

    def refuse(message):
        return DomainError(message, field=field, status=400)

    name = _named(upload)
    size = getattr(upload, "size", None)
    if size is None or size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES / (1024 * 1024)
        raise refuse(f"照片{name}不能超过 {limit:g} MB。")
    data = upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    if not data:
        raise refuse(f"照片{name}是空的。")
    too_large = refuse(f"照片{name}像素过大（最多 {MAX_PIXELS // 1_000_000} 百万像素）。")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it: treat that as refused too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            probe.verify()  # structure check; the image must be reopened to be decoded
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise too_large
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refuse(f"上传的文件{name}不是有效的图片（支持 JPG、PNG 等常见格式）。") from None
    image = ImageOps.exif_transpose(image)  # keep the orientation the EXIF said, then drop it
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    image.info = {}  # Pillow carries comments (and in newer versions XMP) over from here
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=QUALITY)
    return buffer.getvalue()
