"""Phone photos: the page found on its background (`find_page_quad`) and warped flat to an
upright page (`warp_page`). Only image files are searched (extractors.pipeline.ocr_page).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

A4_LONG_SIDE_INCHES = 11.69
A4_SHORT_SIDE_INCHES = 8.27


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
        if len(near) < 10:
            return None
        line = _fit_line(near)
        near = near[np.abs((near - line[0]) @ line[1]) < 2.0]  # fitted again without far points
        if len(near) < 10:
            return None
        lines.append(_fit_line(near))
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
    top, bottom = float(np.linalg.norm(c[1] - c[0])), float(np.linalg.norm(c[2] - c[3]))
    left, right = float(np.linalg.norm(c[3] - c[0])), float(np.linalg.norm(c[2] - c[1]))
    across, down = (top + bottom) / 2, (left + right) / 2
    ratio = max(across, down) / max(min(across, down), 1.0)
    long_side = A4_LONG_SIDE_INCHES * dpi
    short_side = A4_SHORT_SIDE_INCHES * dpi if abs(ratio / A4_ASPECT - 1) < 0.1 else long_side / ratio
    size = (short_side, long_side) if down >= across else (long_side, short_side)
    return round(size[0]), round(size[1])


def perspective_coefficients(target: Sequence[tuple[float, float]], source: Sequence[tuple[float, ...]]
                             ) -> list[float]:
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
