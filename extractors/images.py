"""Scanned images (PNG, JPEG, multi-page TIFF): safe loading, orientation, deskew, 300 DPI;
phone photos: the page found on its background and warped flat (`find_page_quad`, `warp_page`)."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFile, ImageFilter, ImageOps, UnidentifiedImageError

from extractors.errors import CorruptDocument, ImageTooLarge
from extractors.records import Route
from extractors.routing import PagePlan
from extractors.settings import ExtractSettings

log = logging.getLogger(__name__)

# PIL's own bomb check (an error at twice this) backs up the explicit cap in `_check_size`.
Image.MAX_IMAGE_PIXELS = ExtractSettings().max_pixels
A4_LONG_SIDE_INCHES = 11.69
A4_SHORT_SIDE_INCHES = 8.27
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


def _loader(image: Image.Image, index: int, settings: ExtractSettings, label: str):
    def load() -> Image.Image:
        with _IMAGE_LOCK:  # frames of one file share a decoder: decode one at a time
            frame = _decode_frame(image, index, settings, label)
        page = normalise_resolution(frame, max_pixels=settings.max_pixels, dpi=settings.render_dpi)
        page.info[IMAGE_INPUT] = True  # ocr_page looks for a photographed page only in these
        return page

    return load


def _decode_frame(image: Image.Image, index: int, settings: ExtractSettings, label: str):
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
    Warped photo pages use a smaller `sigma` (`photo_flatten_sigma`; see extractors/settings.py).
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
    mask = (chroma >= SEAL_MIN_CHROMA) & (chroma >= SEAL_MIN_SATURATION * np.maximum(high, 1))
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
    return mask & red


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


def _rank(mask: np.ndarray, size: int, axis: int, op) -> np.ndarray:
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
    opened = _large_blobs(opened, round(OVERLAY_MIN_EXTENT_INCHES * dpi))
    if opened is None:
        return image
    wide = np.asarray(opened.resize(gray.size, Image.Resampling.NEAREST)) > 0
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



# Phone photos: the page lies on a darker background, in perspective. The page is the largest
# bright region of a small copy (Otsu threshold after a closing that erases the text); its four
# sides are lines fitted to that region's outline, its corners their intersections.
PAGE_WORK_SIZE = 800  # long side (pixels) of the copy the page outline is searched on
PAGE_CLOSING = 7  # closing size on that copy: text strokes and lines vanish into the paper
PAGE_MIN_AREA = 0.30  # the quad's share of the image: smaller is not "the page"
PAGE_MAX_AREA = 0.98  # larger is the whole image (a scan, a crop): nothing to warp
PAGE_MIN_CONTRAST = 40.0  # paper vs background mean gray levels
PAGE_MIN_FILL = 0.92  # the bright region's share of the quad (and the quad's of the region)
PAGE_ANGLES = (60.0, 120.0)  # plausible corner angles (degrees) of a photographed rectangle
A4_ASPECT = A4_LONG_SIDE_INCHES / A4_SHORT_SIDE_INCHES
PAGE_EDGE_INCHES = 0.1  # warped page rim made paper (printers leave 4 mm or more blank)

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


def otsu_threshold(values: np.ndarray) -> float:
    """Otsu's threshold of 8-bit values: pixels above it are the brighter class."""
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * np.arange(256))
    total, total_mean = weight[-1], mean[-1]
    below, above = weight[:-1], total - weight[:-1]
    valid = (below > 0) & (above > 0)
    between = np.zeros(255)
    mu_low = mean[:-1][valid] / below[valid]
    mu_high = (total_mean - mean[:-1][valid]) / above[valid]
    between[valid] = below[valid] * above[valid] * (mu_low - mu_high) ** 2
    return float(np.argmax(between))


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected region of `mask` (bool), found by joining runs of pixels row by
    row (union-find over runs: pages give a few runs a row)."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    if not len(rows):
        return np.zeros_like(mask)
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = np.searchsorted(rows, np.arange(height + 1))
    for r in range(1, height):
        a, a_end = first[r - 1], first[r]
        b, b_end = first[r], first[r + 1]
        while a < a_end and b < b_end:
            if starts[a] <= ends[b] and starts[b] <= ends[a]:  # overlap, diagonals included
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[ra] = rb
            if ends[a] < ends[b]:
                a += 1
            else:
                b += 1
    roots = np.array([root(i) for i in range(len(rows))])
    sizes = np.bincount(roots, weights=ends - starts)
    keep = np.nonzero(roots == int(np.argmax(sizes)))[0]
    out = np.zeros_like(mask)
    for i in keep:
        out[rows[i], starts[i]:ends[i]] = True
    return out


def find_page_quad(image: Image.Image) -> Quad | None:
    """Corners (top-left, top-right, bottom-right, bottom-left; pixel-edge coordinates of
    `image`) of a page photographed on a darker background, or None when there is no such page
    to be sure of: no contrast, the bright region is the whole image or runs off its edge
    (a scan, a crop), it is too small, or it is not a convex four-sided shape."""
    gray = image.convert("L")
    scale = min(1.0, PAGE_WORK_SIZE / max(gray.size))
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    small = gray.resize(size, Image.Resampling.BOX) if scale < 1 else gray
    closed = small.filter(ImageFilter.MaxFilter(PAGE_CLOSING)).filter(ImageFilter.MinFilter(PAGE_CLOSING))
    pixels = np.asarray(closed)
    if min(pixels.shape) < 16:
        return None
    bright = pixels > otsu_threshold(pixels)
    region = largest_component(bright)
    area = int(region.sum())
    if not area or area > PAGE_MAX_AREA * region.size or area < PAGE_MIN_AREA * region.size:
        return None
    if float(pixels[region].mean()) - float(pixels[~region].mean()) < PAGE_MIN_CONTRAST:
        return None
    corners = _fit_quad(region)
    if corners is None or not _plausible_quad(corners, region, area):
        return None
    sx, sy = gray.width / region.shape[1], gray.height / region.shape[0]
    return tuple((float(x * sx), float(y * sy)) for x, y in corners)  # type: ignore[return-value]


def _outline(region: np.ndarray) -> np.ndarray:
    """Points (x, y; pixel edges) on the region's outline: each row's and each column's ends."""
    points = []
    for axis in (1, 0):
        filled = region.any(axis=axis)
        lines = np.nonzero(filled)[0]
        low = np.argmax(region, axis=axis)[lines]
        high = region.shape[axis] - np.argmax(np.flip(region, axis=axis), axis=axis)[lines]
        for ends in (low, high):
            if axis == 1:  # rows: x varies
                points.append(np.stack([ends, lines + 0.5], axis=1))
            else:
                points.append(np.stack([lines + 0.5, ends], axis=1))
    return np.concatenate(points).astype(np.float64)


def _fit_quad(region: np.ndarray) -> np.ndarray | None:
    """Four corners: extreme outline points along the diagonals, then each side a line fitted
    (twice, dropping far points) to the outline points near it; corners where the lines meet."""
    points = _outline(region)
    s, d = points.sum(axis=1), points[:, 0] - points[:, 1]
    rough = points[[np.argmin(s), np.argmax(d), np.argmax(s), np.argmin(d)]]
    lines = []
    for i in range(4):
        a, b = rough[i], rough[(i + 1) % 4]
        length = float(np.hypot(*(b - a)))
        if length < 8:
            return None
        direction = (b - a) / length
        normal = np.array([-direction[1], direction[0]])
        t = (points - a) @ direction / length
        near = points[(t > 0.1) & (t < 0.9) & (np.abs((points - a) @ normal) < max(3.0, 0.04 * length))]
        line = None
        for tolerance in (None, 2.0):
            if line is not None:
                near = near[np.abs((near - line[0]) @ line[1]) < tolerance]
            if len(near) < 10:
                return None
            line = _fit_line(near)
        lines.append(line)
    corners = []
    for i in range(4):
        (p, n), (q, m) = lines[i - 1], lines[i]
        matrix = np.array([n, m])
        if abs(np.linalg.det(matrix)) < 1e-6:
            return None
        corners.append(np.linalg.solve(matrix, [n @ p, m @ q]))
    return np.array(corners)


def _fit_line(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total least squares line: (a point on it, its unit normal)."""
    centre = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centre, full_matrices=False)
    return centre, vt[1]


def _plausible_quad(corners: np.ndarray, region: np.ndarray, area: int) -> bool:
    height, width = region.shape
    if (corners[:, 0] < 1).any() or (corners[:, 0] > width - 1).any() \
            or (corners[:, 1] < 1).any() or (corners[:, 1] > height - 1).any():
        return False  # a corner at or past the edge: the page runs off the photo
    edges = np.roll(corners, -1, axis=0) - corners
    cross = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    if not ((cross > 0).all() or (cross < 0).all()):
        return False  # not convex
    for i in range(4):
        u, v = -edges[i - 1], edges[i]
        cosine = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
        if not PAGE_ANGLES[0] <= np.degrees(np.arccos(np.clip(cosine, -1, 1))) <= PAGE_ANGLES[1]:
            return False
    x, y = corners[:, 0], corners[:, 1]
    quad_area = 0.5 * abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1)))
    if not PAGE_MIN_AREA * region.size <= quad_area <= PAGE_MAX_AREA * region.size:
        return False
    mask = Image.new("1", (width, height), 0)
    ImageDraw.Draw(mask).polygon([tuple(c) for c in corners], fill=1)
    inside = np.asarray(mask)
    overlap = float((inside & region).sum())
    return overlap >= PAGE_MIN_FILL * quad_area and overlap >= PAGE_MIN_FILL * area


def page_size(quad: Quad, dpi: int) -> tuple[int, int]:
    """Output size of the flattened page: A4 at `dpi` when the sides are near A4's proportions,
    else the sides' own proportions with A4's long side."""
    c = np.array(quad, dtype=np.float64)
    top, bottom = np.linalg.norm(c[1] - c[0]), np.linalg.norm(c[2] - c[3])
    left, right = np.linalg.norm(c[3] - c[0]), np.linalg.norm(c[2] - c[1])
    across, down = (top + bottom) / 2, (left + right) / 2
    ratio = max(across, down) / max(min(across, down), 1.0)
    long_side = A4_LONG_SIDE_INCHES * dpi
    short_side = A4_SHORT_SIDE_INCHES * dpi if abs(ratio / A4_ASPECT - 1) < 0.1 else long_side / ratio
    size = (short_side, long_side) if down >= across else (long_side, short_side)
    return round(size[0]), round(size[1])


def perspective_coefficients(target: list, source: list) -> list[float]:
    """PIL PERSPECTIVE data mapping output points `target` to input points `source`."""
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return [float(c) for c in np.linalg.solve(np.array(rows, dtype=np.float64), np.array(values))]


def warp_page(image: Image.Image, quad: Quad, *, dpi: int = 300) -> Image.Image:
    """The page inside `quad` warped to an upright rectangle at about `dpi` (gray, white fill)."""
    width, height = page_size(quad, dpi)
    target = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))]
    data = perspective_coefficients(target, [tuple(c) for c in quad])
    out = image.convert("L").transform((width, height), Image.Transform.PERSPECTIVE, data,
                                       Image.Resampling.BICUBIC, fillcolor=255)
    out = _paper_edges(out, round(PAGE_EDGE_INCHES * dpi))
    out.info["dpi"] = (dpi, dpi)
    return out


def _paper_edges(page: Image.Image, margin: int) -> Image.Image:
    """`page` with its outer `margin` pixels on each side replaced by the paper just inside
    them (each edge row or column repeats the first one `margin` in): the sliver of desk and
    the page's shadowed rim a fitted quad leaves there would read as a '/' or '|' beside
    every line once the lighting is flattened."""
    pixels = np.asarray(page).copy()
    height, width = pixels.shape
    if margin <= 0 or 2 * margin + 2 > min(height, width):
        return page
    pixels[:margin] = pixels[margin]
    pixels[-margin:] = pixels[-margin - 1]
    pixels[:, :margin] = pixels[:, margin:margin + 1]
    pixels[:, -margin:] = pixels[:, -margin - 1:-margin]
    return Image.fromarray(pixels)


class Prepared(NamedTuple):
    """A page ready for OCR and which steps changed it (what a layout records to replay)."""

    image: Image.Image
    flattened: bool  # background flattening changed the page
    overlays_cleared: bool  # grey seal/stamp plateaus were cleared
    deskewed: bool  # the page was turned level


def prepare_page(image: Image.Image, *, quad: Quad | None, dpi: int, flatten: bool,
                 clear_overlays: bool, deskew_page: bool, max_skew_degrees: float) -> Prepared:
    """The preprocessing before OCR, in its one order: warp a photo's page flat (`quad`), even
    out the light (a warped photo with a smaller radius), clear grey overlays, deskew.

    ocr_page calls it with the settings; reports replay it with the steps a layout recorded,
    which gives the same pixels because every step is deterministic and leaves an unchanged
    page as the same object.
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
