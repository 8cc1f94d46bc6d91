"""The limits the channels check at the edge agree with the columns the values are stored in."""

from __future__ import annotations

from helpline import inbound
from helpline.complaints.models import ComplaintAttachment
from helpline.outbox.model import OutboxMessage
from helpline.storage.models import Contact, Message
from webhooks.twilio import decode as twilio


def size(column) -> int:
    return column.property.columns[0].type.length


def test_every_limit_is_the_size_of_its_column():
    assert inbound.MAX_ADDRESS == size(Contact.address) == size(OutboxMessage.address)
    assert inbound.MAX_PROVIDER_ID == size(Message.provider_id)
    assert inbound.MAX_ATTACHMENT_KIND == size(ComplaintAttachment.kind)
    assert inbound.MAX_ATTACHMENT_REF == size(ComplaintAttachment.ref)
    assert inbound.MAX_CONTENT_TYPE == size(ComplaintAttachment.content_type)


def test_the_largest_accepted_values_fit_their_columns():
    assert len(f"tel:{'9' * twilio.MAX_FROM}") <= inbound.MAX_ADDRESS
    assert len(f"telegram:{-inbound.MAX_SAFE_INT}") <= inbound.MAX_ADDRESS
    assert len(str(inbound.MAX_SAFE_INT)) <= inbound.MAX_PROVIDER_ID  # a Telegram update_id
    assert len("SM" + "0" * 32) <= inbound.MAX_PROVIDER_ID  # a Twilio MessageSid
    assert twilio.MAX_BODY <= inbound.MAX_TEXT
    assert len("document") <= inbound.MAX_ATTACHMENT_KIND


def test_clean_text_keeps_words_and_drops_what_cannot_be_stored():
    assert inbound.clean_text("salam\x00 ji\x1b\n\tکیا\u200f") == "salam ji\n\tکیا\u200f"
    assert inbound.clean_text("a\ud800b") == "a?b"
    assert inbound.has_control("+92\x00") and inbound.has_control("+92\u202e") and not inbound.has_control("+92 300")
