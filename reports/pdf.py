"""PDF reports: the HTML report printed by WeasyPrint with local Korean fonts embedded."""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from urllib.request import url2pathname

from reports.paths import atomic_write_bytes

log = logging.getLogger(__name__)

FONT_DIRS = (Path("/usr/share/fonts/truetype/nanum"), Path("/usr/share/fonts/nanum"),
             Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")
# CSS family -> (weight, file name): NanumGothic for text, NanumMyeongjo offered for serif use.
FONT_FILES = {
    "NanumGothic": (("normal", "NanumGothic.ttf"), ("bold", "NanumGothicBold.ttf")),
    "NanumMyeongjo": (("normal", "NanumMyeongjo.ttf"), ("bold", "NanumMyeongjoBold.ttf")),
}
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #5f6368; } }
body { max-width: none; padding: 0; font-size: 9.5pt; font-family: "NanumGothic", sans-serif; }
.snippet, code { font-family: "NanumGothic", sans-serif; }
h2 { page-break-after: avoid; }
tr { page-break-inside: avoid; }
"""


def print_css() -> str:
    """Stylesheet added to the HTML report for print: page box and embedded Korean fonts."""
    return font_face_css() + PRINT_CSS


def write_pdf(html: str, path: Path) -> Path:
    """Render `html` to a PDF at `path` (atomically). Only local files and data: URLs load."""
    from weasyprint import HTML  # ~2 s to import: only in the process that prints PDFs

    fetcher = _fetcher_class()(allowed_roots=[d for d in FONT_DIRS if d.is_dir()])
    data = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    return atomic_write_bytes(path, data)


@cache
def font_face_css() -> str:
    """@font-face rules pointing at the local Nanum font files found on this machine."""
    rules = []
    for family, faces in FONT_FILES.items():
        for weight, name in faces:
            found = find_font(name)
            if found is not None:
                rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                             f'src: url("{found.as_uri()}"); }}')
    if not rules:
        log.warning("no Nanum font files found; Korean text in PDFs relies on fontconfig")
    return "\n".join(rules) + "\n"


def find_font(name: str) -> Path | None:
    """Locate a font file by name in the usual folders, then through fontconfig."""
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    return _fontconfig_file(name)


def _fontconfig_file(name: str) -> Path | None:
    if shutil.which("fc-list") is None:
        return None
    try:
        out = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True,
                             text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    matches = [Path(line) for line in out.splitlines() if Path(line).name == name]
    return matches[0] if matches else None


@cache
def _fetcher_class() -> type:
    """LocalOnlyFetcher, defined on first use (it subclasses WeasyPrint's URLFetcher)."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
        """WeasyPrint URL fetcher that refuses the network: data: URLs and files under the font
        folders only. A contract can never make the renderer read or fetch anything else."""

        def __init__(self, *, allowed_roots: list[Path]):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.allowed_roots = [r.resolve() for r in allowed_roots]
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.startswith("file:") and not self._allowed_file(url):
                self.refused.append(url)
                raise ValueError("file outside the font folders refused")
            if not url.startswith(("data:", "file:")):
                self.refused.append(url)
                raise ValueError("non-local URL refused")
            return super().fetch(url, headers)

        def _allowed_file(self, url: str) -> bool:
            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            return any(path.is_relative_to(root) for root in self.allowed_roots)

    return LocalOnlyFetcher


def __getattr__(name: str) -> type:
    if name == "LocalOnlyFetcher":
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
