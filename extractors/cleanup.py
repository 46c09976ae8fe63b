"""Cleaning a page image before OCR, in one order (`prepare_page`): a photographed page warped
flat, uneven light flattened, seals and grey overlays cleared, skew straightened.

Measured choices: docs/MEASUREMENTS.md.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from extractors.photos import Quad, warp_page

log = logging.getLogger(__name__)


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


def estimate_skew(image: Image.Image, *, max_degrees: float = 5.0) -> float:
    """Skew angle in degrees (counter-clockwise positive) by projection-profile search."""
    small = image.convert("L")
    small.thumbnail((800, 800))
    ink = small.point(lambda v: 255 if v < 160 else 0)
    coarse = _best_angle(ink, np.arange(-max_degrees, max_degrees + 0.01, 1.0))
    return _best_angle(ink, np.arange(coarse - 1.0, coarse + 1.01, 0.2))


def _best_angle(ink: Image.Image, angles: np.ndarray) -> float:
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


FLATTEN_SIGMA = 30.0  # Gaussian radius (pixels) of the background estimate on scans
PHOTO_FLATTEN_INCHES = 0.05  # ... and on a warped phone photo (15 pixels at 300 DPI)


def photo_flatten_sigma(dpi: int) -> float:
    """The background blur radius for a warped photo page at `dpi`."""
    return PHOTO_FLATTEN_INCHES * dpi


def flatten_background(image: Image.Image, *, min_range: float = 30.0,
                       sigma: float = FLATTEN_SIGMA) -> Image.Image:
    """Even out uneven lighting (phone photos) by dividing by the blurred background.

    bench/ocr.py: a phone-like page went from 0.000 to 0.975 character accuracy (and 23 s to
    1 s); on evenly lit noisy scans it cost 0.04, so it runs only when the paper is uneven.
    Warped photo pages use a smaller `sigma` (`photo_flatten_sigma`; docs/MEASUREMENTS.md).
    """
    if background_range(image) < min_range:
        return image
    background = np.asarray(image.filter(ImageFilter.GaussianBlur(sigma)), dtype=np.float32)
    ratio = np.asarray(image, dtype=np.float32) / np.maximum(background, 1.0) * 255
    flat = Image.fromarray(np.clip(ratio, 0, 255).astype(np.uint8))
    return ImageOps.autocontrast(flat, cutoff=1)


# Seals (직인) and stamps over text. Seal ink is translucent or lighter than the text ink, so
# text under it stays darker than the seal: colour scans lose the seal by hue, grayscale scans
# by its tone and thickness (a wide mid-grey plateau, where text has only thin grey edges).
SEAL_HUES = ((0, 25), (320, 360))  # red, vermilion and crimson seal ink (degrees)
SEAL_MIN_SATURATION = 0.25  # HSV saturation of seal ink (printed black/grey text has ~0)
SEAL_MIN_CHROMA = 40  # max - min channel (0..255): paper tint and JPEG colour noise stay under


def seal_mask(image: Image.Image) -> np.ndarray:
    """Pixels of a colour image inked red (seal ink), as a boolean array; all False for gray."""
    if image.mode not in ("RGB", "RGBA", "P", "CMYK", "YCbCr"):
        return np.zeros((image.height, image.width), dtype=bool)
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    high, low = rgb.max(axis=2), rgb.min(axis=2)
    chroma = high - low
    mask: np.ndarray = (chroma >= SEAL_MIN_CHROMA) & (chroma >= SEAL_MIN_SATURATION * np.maximum(high, 1))
    if not mask.any():
        return mask
    r, g, b = (rgb[..., i] for i in range(3))
    hue = np.zeros(high.shape, dtype=np.float32)
    c = np.maximum(chroma, 1).astype(np.float32)
    red_max = (high == r)
    hue = np.where(red_max, (60 * (g - b) / c) % 360, hue)
    hue = np.where(~red_max & (high == g), 60 * (b - r) / c + 120, hue)
    hue = np.where(~red_max & (high != g), 60 * (r - g) / c + 240, hue)
    red = np.zeros_like(mask)
    for start, end in SEAL_HUES:
        red |= (hue >= start) & (hue < end)
    seals: np.ndarray = mask & red
    return seals


def gray_without_seals(image: Image.Image) -> tuple[Image.Image, bool]:
    """Grayscale where red seal ink reads as its lightest channel, scaled so that the seal's
    own tone becomes paper, while black text under it (dark in every channel) stays dark. Second value: whether
    any seal ink was found. Blue and black ink (signatures, handwritten figures) are untouched.
    """
    if image.mode not in ("RGB", "RGBA", "P", "CMYK", "YCbCr"):
        return to_gray(image), False
    if image.mode in ("RGBA", "P") and (image.mode == "RGBA" or "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, "white")
        flat.alpha_composite(rgba)
        image = flat.convert("RGB")
    dpi = image.info.get("dpi")
    probe = image.convert("RGB")
    probe.thumbnail((400, 400))  # a seal is large: a cheap look first, for pages without colour
    gray = image.convert("L")
    if dpi:
        gray.info["dpi"] = dpi
    if not seal_mask(probe).any():
        return gray, False
    mask = seal_mask(image)
    if not mask.any():
        return gray, False
    lightest = np.asarray(image.convert("RGB")).max(axis=2)[mask].astype(np.float32)
    # Seal ink's own lightest channel is paper-like but not white (200-240): scale it to paper.
    level = max(float(np.percentile(lightest, 75)), 128.0)
    pixels = np.asarray(gray).copy()
    pixels[mask] = np.clip(lightest * (255.0 / level), 0, 255).astype(np.uint8)
    out = Image.fromarray(pixels)
    if dpi:
        out.info["dpi"] = dpi
    return out, True


OVERLAY_SCALE = 2  # the plateau search runs at half resolution (fast, and seal strokes stay wide)
OVERLAY_MIN_WIDTH = 3  # plateau pixels survive an opening this wide (x OVERLAY_SCALE on the page)
OVERLAY_LOW = 0.4  # plateau tone band, as a share of the ink-to-paper range above the ink
OVERLAY_HIGH = 0.9
OVERLAY_MIN_CONTRAST = 80  # pages with less ink-to-paper contrast are left alone
OVERLAY_MIN_EXTENT_INCHES = 0.25  # a plateau blob this long or more (a seal ring, not a glyph)
_BLOB_CELL = 4  # blobs are found on cells of this many (half-resolution) pixels


def page_levels(image: Image.Image) -> tuple[int, int]:
    """(ink, paper) gray levels: the page's median, and the 30th percentile of what is darker
    than it by a quarter of the range (text strokes, without their grey edges)."""
    cumulative = np.cumsum(np.array(image.convert("L").histogram(), dtype=np.int64))
    paper = int(np.searchsorted(cumulative, cumulative[-1] * 0.5))
    dark = cumulative[max(0, paper - 64)]
    if dark == 0:
        return paper, paper
    ink = int(np.searchsorted(cumulative, dark * 0.3))
    return ink, paper


def _erode(mask: np.ndarray, size: int) -> np.ndarray:
    """Binary erosion by a size x size square (separable; outside the array counts as set)."""
    return _rank(_rank(mask, size, 0, np.logical_and), size, 1, np.logical_and)


def _dilate(mask: np.ndarray, size: int) -> np.ndarray:
    return _rank(_rank(mask, size, 0, np.logical_or), size, 1, np.logical_or)


def _rank(mask: np.ndarray, size: int, axis: int, op: np.ufunc) -> np.ndarray:
    out = mask.copy()
    n = mask.shape[axis]
    for shift in range(1, size // 2 + 1):
        if shift >= n:
            break
        lead = [slice(None)] * 2
        lag = [slice(None)] * 2
        lead[axis], lag[axis] = slice(shift, None), slice(None, -shift)
        op(out[tuple(lag)], mask[tuple(lead)], out=out[tuple(lag)])
        op(out[tuple(lead)], mask[tuple(lag)], out=out[tuple(lead)])
    return out


def clear_grey_overlays(image: Image.Image) -> Image.Image:
    """Turn wide mid-grey areas (a seal or stamp printed in gray, shading) into paper.

    Text ink is darker than the band and its grey anti-aliased edges are thin; a seal's ring
    and characters are wide strokes of one lighter tone. Pixels in the band that survive an
    opening OVERLAY_MIN_WIDTH * OVERLAY_SCALE pixels wide (and a little around them, the
    stroke's own soft edge) become paper; darker pixels inside (text under the seal) stay.
    Returns `image` itself when nothing was cleared.
    """
    gray = image.convert("L")
    ink, paper = page_levels(gray)
    if paper - ink < OVERLAY_MIN_CONTRAST:
        return image
    low = ink + OVERLAY_LOW * (paper - ink)
    high = ink + OVERLAY_HIGH * (paper - ink)
    small = np.asarray(gray.reduce(OVERLAY_SCALE))
    band = (small > low) & (small < high)
    opened = _dilate(_erode(band, OVERLAY_MIN_WIDTH), OVERLAY_MIN_WIDTH + 2)
    if not opened.any():
        return image
    dpi = (stated_dpi(gray) or 300) / OVERLAY_SCALE
    blobs = _large_blobs(opened, round(OVERLAY_MIN_EXTENT_INCHES * dpi))
    if blobs is None:
        return image
    wide = np.asarray(blobs.resize(gray.size, Image.Resampling.NEAREST)) > 0
    pixels = np.asarray(gray).copy()
    pixels[wide & (pixels > low)] = paper
    out = Image.fromarray(pixels)
    out.info.update(gray.info)
    return out


def _large_blobs(mask: np.ndarray, min_extent: int) -> Image.Image | None:
    """`mask` (bool) with only the connected blobs whose bounding box reaches `min_extent`
    pixels on a side; None when no blob does. Blobs are traced on a coarse grid of cells
    (an 8-connected flood over the cells holding mask pixels): pages have few of them."""
    height, width = mask.shape
    rows, cols = -(-height // _BLOB_CELL), -(-width // _BLOB_CELL)
    padded = np.zeros((rows * _BLOB_CELL, cols * _BLOB_CELL), dtype=bool)
    padded[:height, :width] = mask
    cells = padded.reshape(rows, _BLOB_CELL, cols, _BLOB_CELL).any(axis=(1, 3))
    todo = set(zip(*np.nonzero(cells), strict=True))
    keep = np.zeros_like(cells)
    reach = max(1, min_extent // _BLOB_CELL)
    while todo:
        blob, stack = [], [todo.pop()]
        while stack:
            r, c = stack.pop()
            blob.append((r, c))
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (r + dr, c + dc) in todo:
                        todo.remove((r + dr, c + dc))
                        stack.append((r + dr, c + dc))
        rs, cs = [b[0] for b in blob], [b[1] for b in blob]
        if max(rs) - min(rs) + 1 >= reach or max(cs) - min(cs) + 1 >= reach:
            keep[tuple(np.array(blob).T)] = True
    if not keep.any():
        return None
    grown = np.repeat(np.repeat(keep, _BLOB_CELL, axis=0), _BLOB_CELL, axis=1)[:height, :width]
    return Image.fromarray(((mask & grown) * 255).astype(np.uint8))


class Prepared(NamedTuple):
    """A page ready for OCR and which steps changed it."""

    image: Image.Image
    flattened: bool  # background flattening changed the page
    overlays_cleared: bool  # grey seal/stamp plateaus were cleared
    deskewed: bool  # the page was turned level


def prepare_page(image: Image.Image, *, quad: Quad | None, dpi: int, flatten: bool,
                 clear_overlays: bool, deskew_page: bool, max_skew_degrees: float) -> Prepared:
    """The preprocessing before OCR, in its one order: warp a photo's page flat (`quad`), even
    out the light (a warped photo with a smaller radius), clear grey overlays, deskew.

    ocr_page calls it with the settings; every step leaves an unchanged page as the same object.
    """
    if quad is not None:
        image = warp_page(image, quad, dpi=dpi)
    loaded = image
    if flatten:
        image = flatten_background(image) if quad is None else \
            flatten_background(image, sigma=photo_flatten_sigma(dpi))
    flattened = image is not loaded
    overlays = False
    if clear_overlays:
        cleared = clear_grey_overlays(image)
        overlays, image = cleared is not image, cleared
    before = image
    if deskew_page:
        image = deskew(image, max_degrees=max_skew_degrees)
    return Prepared(image, flattened, overlays, image is not before)
