"""Referrals that arrive by email (INT-2): the documented layout, the Maildir reader and the
quarantine for messages that cannot be read. See docs/referral-email.md."""

from ..referral import DEFAULT_MAX_ATTACHMENT_BYTES, REQUEST_REASONS, empty_referral
from .layout import ReferralEmail, ReferralEmailError, message_key, parse, parse_body, render, render_body

__all__ = [
    "ReferralEmail",
    "ReferralEmailError",
    "message_key",
    "parse",
    "parse_body",
    "render",
    "render_body",
    "DEFAULT_MAX_ATTACHMENT_BYTES",
    "REQUEST_REASONS",
    "empty_referral",
]
