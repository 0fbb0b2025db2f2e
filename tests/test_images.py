"""Uploaded photos: only real images within the size and pixel bounds, re-encoded as JPEG with
every piece of metadata dropped."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from gongjian.core import images
from gongjian.core.services import DomainError


def upload(data, name="p.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def encoded(fmt="JPEG", size=(40, 30), **params):
    buffer = BytesIO()
    Image.new("RGB", size, (10, 200, 90)).save(buffer, format=fmt, **params)
    return buffer.getvalue()


@pytest.mark.parametrize("data, message", [(b"", "是空的"), (b"GIF89a not really", "不是有效的图片"),
                                           (b"%PDF-1.4 hello", "不是有效的图片")])
def test_non_images_are_refused(data, message):
    with pytest.raises(DomainError, match=message) as refused:
        images.clean_jpeg(upload(data))
    assert refused.value.status == 400 and refused.value.field == "photo"


def test_oversize_is_refused_before_reading(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(DomainError, match="不能超过") as refused:
        images.clean_jpeg(upload(encoded(size=(300, 300))), field="photos")
    assert refused.value.field == "photos"


def test_huge_pixel_counts_are_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 10_000)
    with pytest.raises(DomainError, match="像素过大"):
        images.clean_jpeg(upload(encoded("PNG", size=(200, 200)), "big.png"))


def test_decompression_bombs_are_refused(monkeypatch):
    # Pillow's own guard: past twice its limit it raises, between once and twice it warns
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    for side in (40, 100):
        with pytest.raises(DomainError, match="像素过大"):
            images.clean_jpeg(upload(encoded("PNG", size=(side, side)), "bomb.png"))


def test_metadata_is_dropped_and_orientation_kept():
    exif = Image.Exif()
    exif[0x013B] = "Wang Xiaoming"  # Artist
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.0)}  # GPS
    data = images.clean_jpeg(upload(encoded(size=(40, 30), exif=exif,
                                            comment=b"Wang Xiaoming")))
    assert b"Wang Xiaoming" not in data
    with Image.open(BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()
        assert image.size == (30, 40)  # turned the way the camera said, then the tag dropped


def test_png_text_and_transparency_become_a_plain_jpeg():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Wang Xiaoming")
    buffer = BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buffer, format="PNG", pnginfo=info)
    data = images.clean_jpeg(upload(buffer.getvalue(), "a.png"))
    assert b"Wang Xiaoming" not in data
    with Image.open(BytesIO(data)) as image:
        assert image.format == "JPEG" and image.mode == "RGB"


def test_large_photos_are_scaled_down():
    data = images.clean_jpeg(upload(encoded(size=(3000, 1500))), max_side=1000)
    with Image.open(BytesIO(data)) as image:
        assert image.size == (1000, 500)
