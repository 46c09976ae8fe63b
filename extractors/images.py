"""Image files (PNG, JPEG, multi-page TIFF): safe loading, one OCR page plan per frame, 300 DPI.

Cleaning a page before OCR: extractors.cleanup; finding a photographed page: extractors.photos.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from extractors.cleanup import gray_without_seals, stated_dpi, to_gray
from extractors.errors import CorruptDocument, ImageTooLarge
from extractors.photos import A4_LONG_SIDE_INCHES
from extractors.records import Route
from extractors.routing import PagePlan
from extractors.settings import ExtractSettings

# PIL's own bomb check (an error at twice this) backs up the explicit cap in `_check_size`.
Image.MAX_IMAGE_PIXELS = ExtractSettings().max_pixels
IMAGE_INPUT = "ksoc_image_input"  # info key set on frames of image files (photo candidates)
_IMAGE_LOCK = threading.Lock()


@contextmanager
def plan_image_pages(path: Path, settings: ExtractSettings, *, label: str) -> Iterator[list[PagePlan]]:
    """Yield one OCR PagePlan per image frame; frames decode lazily while the context is open."""
    image = open_image(path, settings, label=label)
    try:
        frames = getattr(image, "n_frames", 1)
        plans = [PagePlan(i + 1, Route.ocr, "scanned image", load_image=_loader(image, i, settings, label))
                 for i in range(frames)]
        yield plans
    finally:
        image.close()


def open_image(path: Path, settings: ExtractSettings, *, label: str) -> Image.Image:
    """Open an image lazily, refusing decompression bombs and undecodable files."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageTooLarge(f"image {label} exceeds {settings.max_pixels:,} pixels") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise CorruptDocument(f"image {label} cannot be decoded") from e
    _check_size(image, settings, label)
    return image


def _check_size(image: Image.Image, settings: ExtractSettings, label: str) -> None:
    if image.width * image.height > settings.max_pixels:
        image.close()
        raise ImageTooLarge(f"image {label} exceeds {settings.max_pixels:,} pixels")


def _loader(image: Image.Image, index: int, settings: ExtractSettings, label: str
            ) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        with _IMAGE_LOCK:  # frames of one file share a decoder: decode one at a time
            frame = _decode_frame(image, index, settings, label)
        page = normalise_resolution(frame, max_pixels=settings.max_pixels, dpi=settings.render_dpi)
        page.info[IMAGE_INPUT] = True  # ocr_page looks for a photographed page only in these
        return page

    return load


def _decode_frame(image: Image.Image, index: int, settings: ExtractSettings, label: str
                  ) -> Image.Image:
    # Other libraries in the same process flip this global on import (WeasyPrint does), which
    # would make Pillow pad a truncated scan with grey instead of failing: insist on whole files.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.seek(index)
        _check_size(image, settings, label)
        frame = ImageOps.exif_transpose(image.copy())
        return gray_without_seals(frame)[0] if settings.remove_seals else to_gray(frame)
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise CorruptDocument(f"image {label} cannot be decoded", page=index + 1) from e


def normalise_resolution(image: Image.Image, *, max_pixels: int, dpi: int = 300) -> Image.Image:
    """Rescale to about `dpi`, from the stated resolution or else assuming an A4 page."""
    source = stated_dpi(image) or max(image.size) / A4_LONG_SIDE_INCHES
    factor = dpi / source
    if 0.85 <= factor <= 1.15:
        return image
    factor = min(factor, (max_pixels / (image.width * image.height)) ** 0.5)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    resized = image.resize(size, Image.Resampling.LANCZOS)
    resized.info["dpi"] = (dpi, dpi)
    return resized
