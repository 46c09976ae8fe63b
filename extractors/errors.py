"""The project's exception tree; messages carry advice and never personal data.

    KsocAuditError                 base: `code`, `advice`
    ├── InputError                 the file itself cannot be audited (quarantine it)
    │   ├── EmptyDocument
    │   ├── UnreadableFile         vanished or unreadable (deleted mid-run, permissions)
    │   ├── ArchiveTooLarge        DOCX/HWPX members inflate beyond the limits (zip bomb)
    │   ├── CorruptDocument
    │   ├── EncryptedDocument
    │   ├── UnsupportedFormat
    │   ├── ImageTooLarge
    │   └── NotAContract
    ├── OcrError                   the OCR engine failed
    │   ├── OcrEngineMissing
    │   └── OcrTimeout             transient: a page's OCR ran out of time
    ├── TransientFailure           transient: a result with a transient problem, retried
    │   └── WorkerLost             the process auditing a document died
    ├── DocumentTimeout            the per-document time limit ran out
    ├── ReferenceDataError         package data missing or inconsistent
    └── ConfigError                bad command line or configuration
"""

from __future__ import annotations


class KsocAuditError(Exception):
    code = "internal_error"
    advice = "report this to the ksoc-audit maintainers with the file hash"
    transient = False

    def __init__(self, message: str, *, page: int | None = None, advice: str | None = None):
        self.page = page
        if advice is not None:
            self.advice = advice
        super().__init__(message)

    @property
    def message(self) -> str:
        where = f" (page {self.page})" if self.page else ""
        return f"{self.args[0]}{where}: {self.advice}"


class InputError(KsocAuditError):
    code = "bad_input"
    advice = "check the file and drop a readable contract"


class EmptyDocument(InputError):
    code = "empty_file"
    advice = "the file is empty; export the contract again"


class UnreadableFile(InputError):
    code = "unreadable_file"
    advice = "check that the file still exists and can be read, then audit it again"


class ArchiveTooLarge(InputError):
    code = "archive_too_large"
    advice = ("the document's archive inflates far beyond a contract's size (a zip bomb or "
              "embedded media); save it again as PDF or without embedded files")


class CorruptDocument(InputError):
    code = "corrupt_file"
    advice = "the file is damaged or truncated; export or scan the contract again"


class EncryptedDocument(InputError):
    code = "encrypted_pdf"
    advice = "a password is needed; save an unprotected copy of the PDF and drop it again"


class UnsupportedFormat(InputError):
    code = "unsupported_format"
    advice = "save the contract as PDF or HWPX (or DOCX, PNG, JPEG, TIFF) and drop it again"


class ImageTooLarge(InputError):
    code = "image_too_large"
    advice = "the image exceeds the pixel limit; rescan at 300 DPI"


class NotAContract(InputError):
    code = "not_a_contract"
    advice = "this does not look like an employment contract; nothing was extracted"


class OcrError(KsocAuditError):
    code = "ocr_failed"
    advice = "run `ksoc-audit doctor` to check the Tesseract installation"


class OcrEngineMissing(OcrError):
    code = "ocr_engine_missing"
    advice = "install Tesseract with Korean data: apt-get install tesseract-ocr tesseract-ocr-kor"


class OcrTimeout(OcrError):
    code = "ocr_timeout"
    advice = "the page took too long to read; rescan it cleaner or at 300 DPI"
    transient = True


class TransientFailure(KsocAuditError):
    """A document hit a transient problem (e.g. an OCR timeout) and deserves another try."""

    code = "transient_failure"
    advice = "retrying the document"
    transient = True


class WorkerLost(TransientFailure):
    """The worker process running a document died (killed, out of memory, crashed library)."""

    code = "worker_lost"
    advice = "the document is retried once; if it fails again, check it is not damaged"


class DocumentTimeout(KsocAuditError):
    code = "document_timeout"
    advice = "the document took too long to process; split it or rescan it"


class ReferenceDataError(KsocAuditError):
    code = "reference_data"
    advice = "reinstall ksoc-audit or rebuild package data with `make data`"


class ConfigError(KsocAuditError):
    code = "config_error"
    advice = "see `ksoc-audit --help`"
