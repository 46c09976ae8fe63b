"""Turn born-digital pages into realistic scans: skew, blur, noise, JPEG, stamps, fax, flips."""

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
