"""Turn born-digital pages into realistic scans: skew, blur, noise, JPEG, stamps, fax, flips;
and into phone photos: the page in perspective on a desk, unevenly lit (`phone_photo`)."""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .render import NANUM

FIXED_DATE = time.gmtime(1767225600)  # keeps generated files byte-identical across runs


@dataclass(frozen=True)
class ScanOptions:
    seed: int = 0  # drives noise and stamp placement
    skew: float = 0.0  # degrees, positive = counter-clockwise
    blur: float = 0.0  # Gaussian radius in pixels at `dpi`
    noise: float = 0.0  # Gaussian noise sigma (0..255 scale) plus speckles
    jpeg_quality: int = 75  # JPEG re-encoding quality; 0 keeps the image lossless
    stamp: bool = False  # red company seal over the text
    fax: bool = False  # 200x100 DPI bilevel fax look
    upside_down: bool = False  # page fed the wrong way
    dpi: int = 300  # rendering resolution
    photo: bool = False  # phone photo of the page on a desk (colour; see `phone_photo`)


def rasterize(pdf_bytes: bytes, dpi: int = 300) -> list[Image.Image]:
    """Render every PDF page to a grayscale image at `dpi`."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("L") for page in pdf]
    finally:
        pdf.close()


def _stamp(img: Image.Image, rng: random.Random) -> Image.Image:
    """Overlay a semi-transparent red seal (직인) across text, as companies stamp names."""
    rgb = img.convert("RGB")
    layer = Image.new("RGBA", rgb.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    r = rgb.width // 14
    cx = rng.randrange(rgb.width // 2, rgb.width - 2 * r)
    cy = rng.randrange(rgb.height // 5, rgb.height - 2 * r)
    red = (210, 30, 40, 120)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, r // 10))
    if NANUM.exists():
        font = ImageFont.truetype(str(NANUM), r // 2)
        draw.text((cx, cy), "직인", fill=red, font=font, anchor="mm")
    return Image.alpha_composite(rgb.convert("RGBA"), layer).convert("L")


def _noise(img: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    gen = np.random.default_rng(rng.randrange(2**32))
    arr = np.asarray(img, dtype=np.float32)
    arr = arr + gen.normal(0.0, sigma, arr.shape)
    speckle = gen.random(arr.shape) < sigma / 20000
    arr[speckle] = 0
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _fax(img: Image.Image) -> Image.Image:
    w, h = img.size
    low = img.resize((w * 2 // 3, h // 3), Image.Resampling.BILINEAR)
    bilevel = low.point(lambda v: 255 if v > 150 else 0)
    return bilevel.resize((w, h), Image.Resampling.NEAREST)


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def degrade(img: Image.Image, opts: ScanOptions, page_index: int = 0) -> Image.Image:
    """Apply the scan effects in the order a real scanner/fax would add them."""
    rng = random.Random(opts.seed * 1000 + page_index)
    img = img.convert("L")
    if opts.stamp:
        img = _stamp(img, rng)
    if opts.fax:
        img = _fax(img)
    if opts.skew:
        img = img.rotate(opts.skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if opts.blur:
        img = img.filter(ImageFilter.GaussianBlur(opts.blur))
    if opts.noise:
        img = _noise(img, opts.noise, rng)
    if opts.upside_down:
        img = img.rotate(180)
    if opts.photo:  # the camera adds its own blur and JPEG on top of what the page shows
        return phone_photo(img, rng.randrange(2**32), quality=opts.jpeg_quality or 85)[0]
    return _jpeg(img, opts.jpeg_quality) if opts.jpeg_quality else img


def scan(source: bytes | Image.Image, opts: ScanOptions | None = None, **kw) -> list[Image.Image]:
    """Scanned page images of a PDF (bytes) or of one page image; options as keywords."""
    opts = opts or ScanOptions(**kw)
    pages = [source] if isinstance(source, Image.Image) else rasterize(source, opts.dpi)
    return [degrade(page, opts, i) for i, page in enumerate(pages)]


def images_to_pdf(images: list[Image.Image], *, dpi: int = 300, quality: int = 60) -> bytes:
    """Image-only PDF (JPEG inside), as a scanner's "scan to PDF" writes it."""
    buf = io.BytesIO()
    first, *rest = [im.convert("L") for im in images]
    first.save(buf, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=quality,
               creationDate=FIXED_DATE, modDate=FIXED_DATE)
    return buf.getvalue()


def image_to_png(image: Image.Image, *, dpi: int = 300) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi), optimize=True)
    return buf.getvalue()


PHOTO_SIZE = (3024, 4032)  # a 12-megapixel phone camera, portrait
PHOTO_PAGE_HEIGHT = 0.8  # share of the photo's height the page spans before the distortion


def phone_photo(
    page: Image.Image, seed: int, *, size: tuple[int, int] = PHOTO_SIZE, quality: int = 85,
) -> tuple[Image.Image, list[tuple[float, float]]]:
    """The page photographed lying on a desk: warped by a random perspective (each corner moved
    3-10% of the page size, a slight rotation), on a darker textured wood-like background,
    lit unevenly (a gradient and a vignette), mildly blurred, JPEG-compressed. Returns the RGB
    photo and the page's corners in it (top-left, top-right, bottom-right, bottom-left)."""
    rng = random.Random(seed)
    width, height = size
    page_h = PHOTO_PAGE_HEIGHT * height
    page_w = page_h * page.width / page.height
    cx, cy = width / 2 + rng.uniform(-0.03, 0.03) * width, height / 2 + rng.uniform(-0.03, 0.03) * height
    angle = np.radians(rng.uniform(-4.0, 4.0))
    cos, sin = np.cos(angle), np.sin(angle)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = sx * page_w / 2, sy * page_h / 2
        x, y = x * cos - y * sin, x * sin + y * cos
        shift, direction = rng.uniform(0.03, 0.10), rng.uniform(0, 2 * np.pi)
        x += shift * page_w * np.cos(direction)
        y += shift * page_h * np.sin(direction)
        corners.append((float(np.clip(cx + x, 0.01 * width, 0.99 * width)),
                        float(np.clip(cy + y, 0.01 * height, 0.99 * height))))
    paper = _paper(page, rng)
    source = [(0.0, 0.0), (float(page.width), 0.0), (float(page.width), float(page.height)),
              (0.0, float(page.height))]
    warped = paper.transform(size, Image.Transform.PERSPECTIVE, _perspective(corners, source),
                             Image.Resampling.BICUBIC, fillcolor=(0, 0, 0, 0))
    photo = _desk(size, rng)
    photo.alpha_composite(warped)
    photo = _lighting(photo.convert("RGB"), rng)
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6)))
    gen = np.random.default_rng(rng.randrange(2**32))
    arr = np.asarray(photo, dtype=np.float32) + gen.normal(0.0, 3.0, (height, width, 1))
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), corners


def _perspective(target: list[tuple[float, float]], source: list[tuple[float, float]]) -> list[float]:
    """PIL PERSPECTIVE coefficients mapping output pixels at `target` to input pixels at `source`."""
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return [float(c) for c in np.linalg.solve(np.array(rows), np.array(values))]


def _paper(page: Image.Image, rng: random.Random) -> Image.Image:
    """The page as slightly tinted paper (RGBA, opaque)."""
    tint = (rng.uniform(0.95, 1.0), rng.uniform(0.93, 0.98), rng.uniform(0.86, 0.95))
    gray = np.asarray(page.convert("L"), dtype=np.float32)[..., None]
    rgb = np.clip(gray * np.array(tint, dtype=np.float32), 0, 255).astype(np.uint8)
    return Image.fromarray(rgb).convert("RGBA")


def _desk(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A darker wood-like desk: a brown tone, a gradient, stretched grain noise."""
    width, height = size
    gen = np.random.default_rng(rng.randrange(2**32))
    grain = gen.normal(0.0, 1.0, (max(2, height // 40), max(2, width // 4))).astype(np.float32)
    grain = np.asarray(Image.fromarray(grain, mode="F").resize(size, Image.Resampling.BICUBIC))
    ramp = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :] * rng.uniform(-25, 25)
    level = rng.uniform(70, 115) + grain * 12 + ramp
    brown = np.array((1.0, 0.78, 0.58), dtype=np.float32) * rng.uniform(0.9, 1.1)
    rgb = np.clip(level[..., None] * brown, 0, 255).astype(np.uint8)
    return Image.fromarray(rgb).convert("RGBA")


def _lighting(photo: Image.Image, rng: random.Random) -> Image.Image:
    """Uneven light: a linear falloff in a random direction and a vignette."""
    width, height = photo.size
    ys, xs = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    xs, ys = xs / width - 0.5, ys / height - 0.5
    direction = rng.uniform(0, 2 * np.pi)
    falloff = rng.uniform(0.25, 0.45)
    light = 1.0 - falloff * (0.5 + xs * np.cos(direction) + ys * np.sin(direction))
    light *= 1.0 - rng.uniform(0.1, 0.25) * (xs**2 + ys**2) * 2
    field = Image.fromarray(np.clip(light * 255, 0, 255).astype(np.uint8)).resize(
        photo.size, Image.Resampling.BILINEAR)
    arr = np.asarray(photo, dtype=np.float32) * (np.asarray(field, dtype=np.float32)[..., None] / 255)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
