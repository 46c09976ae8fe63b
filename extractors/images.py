"""Scanned images (PNG, JPEG, multi-page TIFF): safe loading, orientation, deskew, 300 DPI."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageFilter, ImageOps, UnidentifiedImageError

from extractors.errors import CorruptDocument, ImageTooLarge
from extractors.records import Route
from extractors.routing import PagePlan
from extractors.settings import ExtractSettings

log = logging.getLogger(__name__)

# PIL's own bomb check (an error at twice this) backs up the explicit cap in `_check_size`.
Image.MAX_IMAGE_PIXELS = ExtractSettings().max_pixels
A4_LONG_SIDE_INCHES = 11.69
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


def _loader(image: Image.Image, index: int, settings: ExtractSettings, label: str):
    def load() -> Image.Image:
        with _IMAGE_LOCK:  # frames of one file share a decoder: decode one at a time
            frame = _decode_frame(image, index, settings, label)
        return normalise_resolution(frame, max_pixels=settings.max_pixels, dpi=settings.render_dpi)

    return load


def _decode_frame(image: Image.Image, index: int, settings: ExtractSettings, label: str):
    # Other libraries in the same process flip this global on import (WeasyPrint does), which
    # would make Pillow pad a truncated scan with grey instead of failing: insist on whole files.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.seek(index)
        _check_size(image, settings, label)
        frame = ImageOps.exif_transpose(image.copy())
        return to_gray(frame)
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise CorruptDocument(f"image {label} cannot be decoded", page=index + 1) from e


def to_gray(image: Image.Image) -> Image.Image:
    """Grayscale on a white background (transparent areas become paper, not ink)."""
    dpi = image.info.get("dpi")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGBA", rgba.size, "white")
        image.alpha_composite(rgba)
    gray = image.convert("L")
    if dpi:
        gray.info["dpi"] = dpi
    return gray


def stated_dpi(image: Image.Image) -> float | None:
    """The resolution the file states, when plausible for a scan."""
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 50 <= value <= 1200 else None


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


def estimate_skew(image: Image.Image, *, max_degrees: float = 5.0) -> float:
    """Skew angle in degrees (counter-clockwise positive) by projection-profile search."""
    small = image.convert("L")
    small.thumbnail((800, 800))
    ink = small.point(lambda v: 255 if v < 160 else 0)
    coarse = _best_angle(ink, np.arange(-max_degrees, max_degrees + 0.01, 1.0))
    return _best_angle(ink, np.arange(coarse - 1.0, coarse + 1.01, 0.2))


def _best_angle(ink: Image.Image, angles) -> float:
    scores = [(_profile_score(ink, float(a)), float(a)) for a in angles]
    return round(max(scores)[1], 2)


def _profile_score(ink: Image.Image, angle: float) -> float:
    rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float32)
    profile = rows.sum(axis=1)
    return float(np.square(np.diff(profile)).sum())


def deskew(image: Image.Image, *, max_degrees: float = 5.0, min_degrees: float = 0.3) -> Image.Image:
    """Rotate a skewed page straight; pages within `min_degrees` are returned unchanged."""
    angle = estimate_skew(image, max_degrees=max_degrees)
    if abs(angle) < min_degrees:
        return image
    log.debug("deskewing by %.2f degrees", angle)
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def background_range(image: Image.Image) -> float:
    """Spread (5th to 95th percentile) of the paper brightness across the page."""
    small = image.convert("L").resize((max(1, image.width // 16), max(1, image.height // 16)))
    paper = np.asarray(small.filter(ImageFilter.MaxFilter(5)), dtype=np.float32)
    low, high = np.percentile(paper, [5, 95])
    return float(high - low)


def flatten_background(image: Image.Image, *, min_range: float = 30.0) -> Image.Image:
    """Even out uneven lighting (phone photos) by dividing by the blurred background.

    bench/ocr.py: a phone-like page went from 0.000 to 0.975 character accuracy (and 23 s to
    1 s); on evenly lit noisy scans it cost 0.04, so it runs only when the paper is uneven.
    """
    if background_range(image) < min_range:
        return image
    background = np.asarray(image.filter(ImageFilter.GaussianBlur(30)), dtype=np.float32)
    ratio = np.asarray(image, dtype=np.float32) / np.maximum(background, 1.0) * 255
    flat = Image.fromarray(np.clip(ratio, 0, 255).astype(np.uint8))
    return ImageOps.autocontrast(flat, cutoff=1)
