"""What a media file is: its content type from the provider's word checked against its first bytes.

A file is kept only when its bytes are one of the allowed types (:data:`DEFAULT_TYPES`, or
``HELPLINE_MEDIA_TYPES``) and agree with the type the provider declared (``image/jpeg`` that is really a PDF, or
an HTML error page, is refused). What staff are served is always one of these canonical types, never a string a
provider sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpline.errors import HelplineError

DEFAULT_TYPES: tuple[str, ...] = (
    "audio/ogg", "audio/amr", "audio/mpeg", "audio/mp4", "audio/aac", "image/jpeg", "image/png", "image/webp",
    "application/pdf", "video/mp4",
)
"""WhatsApp voice notes are Ogg Opus; older phones send AMR; MMS and WhatsApp carry JPEG/PNG photos and PDFs."""

DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for audio and video

# Names providers and phones use for the same thing → the canonical name.
ALIASES = {
    "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "audio/mp3": "audio/mpeg", "audio/x-mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg", "audio/opus": "audio/ogg", "application/ogg": "audio/ogg", "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4", "audio/aacp": "audio/aac", "audio/x-aac": "audio/aac", "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav", "audio/x-amr": "audio/amr", "audio/amr-nb": "audio/amr",
}
# Types one signature cannot tell apart: an MP4 box holds sound or pictures, an Ogg page Opus or Theora.
SAME_CONTAINER = ({"audio/mp4", "video/mp4"}, {"audio/ogg", "video/ogg"}, {"audio/3gpp", "video/3gpp"})
GENERIC = frozenset({"application/octet-stream", "binary/octet-stream", "application/unknown"})

EXTENSIONS = {
    "audio/ogg": ".ogg", "audio/amr": ".amr", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/aac": ".aac",
    "audio/wav": ".wav", "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif",
    "application/pdf": ".pdf", "video/mp4": ".mp4", "video/3gpp": ".3gp", "audio/3gpp": ".3gp",
}
BROWSER_PLAYABLE = frozenset({"audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/wav", "video/mp4"})
"""What Chromium and Firefox play in an ``<audio>``/``<video>`` element (AMR is downloaded instead)."""


class MediaRefused(HelplineError):
    """The file is not kept; ``reason`` says why in words for staff."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class MediaPolicy:
    """How large a file may be and which types are kept."""

    max_bytes: int = DEFAULT_MAX_BYTES
    allowed: frozenset[str] = frozenset(DEFAULT_TYPES)

    @classmethod
    def parse(cls, max_bytes: int, types: str) -> MediaPolicy:
        """From settings: a byte limit and a comma-separated list of types (aliases accepted)."""
        allowed = frozenset(canonical(t) for t in types.split(",") if t.strip())
        return cls(max_bytes=max_bytes, allowed=allowed)


def canonical(content_type: str | None) -> str | None:
    """``Audio/OGG; codecs=opus`` → ``audio/ogg``; None for nothing."""
    if not content_type:
        return None
    bare = content_type.split(";", 1)[0].strip().lower()
    return ALIASES.get(bare, bare) or None


def sniff(data: bytes) -> str | None:
    """The canonical type the first bytes show, or None when they match no known signature."""
    head = data[:64]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "video/ogg" if b"\x80theora" in data[:512] else "audio/ogg"
    if head.startswith(b"#!AMR"):
        return "audio/amr"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "audio/mp4" if brand in (b"M4A ", b"M4B ", b"M4P ") else "video/mp4"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0:  # ADTS frame sync, layer 0: AAC
        return "audio/aac"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06):  # MPEG audio frame
        return "audio/mpeg"
    return None


def _agree(declared: str, actual: str) -> bool:
    return declared == actual or any(declared in group and actual in group for group in SAME_CONTAINER)


def check(data: bytes, declared: str | None, policy: MediaPolicy) -> str:
    """The content type to keep the file as, or :class:`MediaRefused` with the reason.

    The bytes decide what the file is; a declared type must agree with them (the same container counts: an
    ``audio/mp4`` voice note may carry a video brand). A declared type that is allowed and agrees is kept (it is
    the more precise of the two); else what the bytes show, if allowed."""
    if len(data) > policy.max_bytes:
        raise MediaRefused(f"too large: {_size(len(data))}, the limit is {_size(policy.max_bytes)}")
    if not data:
        raise MediaRefused("the file is empty")
    said = canonical(declared)
    actual = sniff(data)
    if actual is None:
        raise MediaRefused(f"not a file type the helpline keeps (declared {said or 'nothing'}; the content "
                           "matches no allowed type)")
    if said is not None and said not in GENERIC and not _agree(said, actual):
        raise MediaRefused(f"declared {said}, but the content is {actual}")
    if said is not None and said in policy.allowed and _agree(said, actual):
        return said
    if actual in policy.allowed:
        return actual
    raise MediaRefused(f"{actual} is not an allowed type")


def kind_of(content_type: str) -> str:
    """``audio``, ``image``, ``video`` or ``document``."""
    major = content_type.split("/", 1)[0]
    return major if major in ("audio", "image", "video") else "document"


def is_voice(kind: str | None, content_type: str | None) -> bool:
    """Whether an attachment as the channel decoded it is a voice note or other sound."""
    return kind == "voice" or (canonical(content_type) or "").startswith("audio/")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def size_in_words(n: int | None) -> str:
    """``2.5 MB``, ``340 KB``, ``12 bytes`` (for the console)."""
    return _size(n) if n is not None else ""
