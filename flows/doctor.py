"""`ksoc-audit doctor`: check what the pipeline needs and say how to install what is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

APT = "apt-get install -y"


@dataclass(frozen=True)
class Check:
    name: str  # what was checked
    ok: bool  # passed
    detail: str  # what was found
    fix: str = ""  # command or advice when it failed
    required: bool = True  # False: a warning only


def run_doctor(*, echo: Callable[[str], None] = print) -> bool:
    """Run every check, print a line each; True when nothing required is missing."""
    checks = [check_tesseract(), *check_tesseract_languages(), check_fonts(),
              check_prefect_home(), check_reference_data(), check_poppler()]
    for c in checks:
        mark = "ok  " if c.ok else ("FAIL" if c.required else "warn")
        echo(f"[{mark}] {c.name}: {c.detail}" + ("" if c.ok else f"  -> {c.fix}"))
    return all(c.ok for c in checks if c.required)


def check_tesseract() -> Check:
    exe = shutil.which("tesseract")
    if not exe:
        return Check("tesseract", False, "not found", f"{APT} tesseract-ocr")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=20, check=False)
    found = re.search(r"tesseract\s+v?(\d+)\.(\d+)", out.stdout + out.stderr)
    if not found or int(found.group(1)) < 4:
        return Check("tesseract", False, "version 4 or newer needed", f"{APT} tesseract-ocr")
    return Check("tesseract", True, f"version {found.group(1)}.{found.group(2)}")


def check_tesseract_languages() -> list[Check]:
    langs = _tesseract_languages()
    wanted = [("kor", "tesseract-ocr-kor", True), ("Hangul", "tesseract-ocr-script-hang", True),
              ("eng", "tesseract-ocr-eng", True), ("osd", "tesseract-ocr-osd", True)]
    return [Check(f"tesseract language {code}", code in langs,
                  "installed" if code in langs else "missing", f"{APT} {pkg}", required)
            for code, pkg, required in wanted]


def check_fonts() -> Check:
    fonts = _fc_list()
    ok = "NanumGothic" in fonts
    return Check("Korean font (NanumGothic)", ok, "installed" if ok else "missing",
                 f"{APT} fonts-nanum && fc-cache -f")


def check_prefect_home() -> Check:
    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return Check("Prefect home", False, f"{home} not writable ({exc.strerror})",
                     "set KSOC_AUDIT_HOME or PREFECT_HOME to a writable folder")
    return Check("Prefect home", True, str(home))


def check_reference_data() -> Check:
    from extractors.errors import ReferenceDataError

    try:
        from matchers.knowledge.load import load_knowledge

        kb = load_knowledge()
    except (ReferenceDataError, ImportError, OSError) as exc:
        return Check("reference data", False, str(exc), "reinstall ksoc-audit (make setup)")
    return Check("reference data", True, f"version {kb.version}")


def check_poppler() -> Check:
    ok = shutil.which("pdftoppm") is not None
    return Check("poppler-utils (pdftoppm)", ok, "installed" if ok else "missing",
                 f"{APT} poppler-utils", required=False)


def _tesseract_languages() -> set[str]:
    exe = shutil.which("tesseract")
    if not exe:
        return set()
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20, check=False)
    return {line.strip() for line in (out.stdout + out.stderr).splitlines()[1:] if line.strip()}


def _fc_list() -> str:
    exe = shutil.which("fc-list")
    if not exe:
        return ""
    return subprocess.run([exe], capture_output=True, text=True, timeout=30, check=False).stdout
