"""What a file is: the bytes decide, a declared type must agree, only allowed types are kept (pure, no I/O)."""

from __future__ import annotations

import pytest

from helpline.media.types import MediaPolicy, MediaRefused, canonical, check, kind_of, sniff
from tests.media.samples import ogg_opus, pdf, png

M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\0" * 16
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\0" * 16


@pytest.mark.parametrize(("data", "expected"), [
    (ogg_opus(0.1), "audio/ogg"), (b"#!AMR\n" + b"\0" * 10, "audio/amr"), (b"ID3\x04" + b"\0" * 10, "audio/mpeg"),
    (b"\xff\xfb\x90\x64" + b"\0" * 10, "audio/mpeg"), (b"\xff\xf1\x50\x80" + b"\0" * 10, "audio/aac"),
    (M4A, "audio/mp4"), (MP4, "video/mp4"), (b"\xff\xd8\xff\xe0" + b"\0" * 10, "image/jpeg"), (png(), "image/png"),
    (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"), (pdf(), "application/pdf"), (b"<html>", None), (b"", None),
])
def test_signatures(data, expected):
    assert sniff(data) == expected


def test_a_declared_type_must_agree_with_the_bytes_and_be_allowed():
    policy = MediaPolicy()
    assert check(ogg_opus(0.1), "audio/ogg; codecs=opus", policy) == "audio/ogg"
    assert check(ogg_opus(0.1), "audio/opus", policy) == "audio/ogg"  # an alias
    assert check(M4A, "video/mp4", policy) == "video/mp4"  # one container: the declared, more precise, type kept
    assert check(MP4, "audio/mp4", policy) == "audio/mp4"
    assert check(pdf(), None, policy) == "application/pdf" == check(pdf(), "application/octet-stream", policy)
    for data, declared, reason in ((pdf(), "image/jpeg", "declared image/jpeg, but the content is application/pdf"),
                                   (b"GIF89a" + b"\0" * 9, "image/gif", "image/gif is not an allowed type"),
                                   (b"", "audio/ogg", "the file is empty")):
        with pytest.raises(MediaRefused) as refused:
            check(data, declared, policy)
        assert refused.value.reason == reason
    with pytest.raises(MediaRefused, match="too large"):
        check(pdf(), "application/pdf", MediaPolicy(max_bytes=16))


def test_policy_from_settings_and_kinds():
    policy = MediaPolicy.parse(1024, " audio/ogg , image/jpg,application/pdf")
    assert policy.allowed == {"audio/ogg", "image/jpeg", "application/pdf"}
    assert [kind_of(t) for t in ("audio/amr", "image/png", "video/mp4", "application/pdf")] == [
        "audio", "image", "video", "document"]
    assert canonical("Image/JPG") == "image/jpeg" and canonical(None) is None
