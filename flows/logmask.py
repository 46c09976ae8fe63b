"""Identifiers out of Prefect's logs: its API handler stores every log line of a flow run in the
Prefect database, including tracebacks after a crash, whose messages may quote an input path
(`FileNotFoundError: ... '/in/계약서_900101-1234567.pdf'`). ksoc-audit's own log lines name
documents by hash; this filter masks ID, passport, phone and account numbers (reports.pii) and
escapes undecodable bytes and control characters (reports.names) in whatever else gets there."""

from __future__ import annotations

import logging

from reports.names import escape_controls
from reports.pii import mask_text

# Loggers whose handlers send to Prefect's API (see prefect/logging/logging.yml).
PREFECT_LOGGERS = ("prefect", "prefect.flow_runs", "prefect.task_runs")


class MaskPersonalData(logging.Filter):
    """Rewrite a record's message and traceback text with identifiers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = _clean(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _clean(record.exc_text)
        return True


def _clean(text: str) -> str:
    return "\n".join(escape_controls(mask_text(line)) for line in text.split("\n"))


def install() -> None:
    """Add the filter to the handlers of Prefect's loggers (once; Prefect sets them up at import)."""
    for name in PREFECT_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
                handler.addFilter(MaskPersonalData())
