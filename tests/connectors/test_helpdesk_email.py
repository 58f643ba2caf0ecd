"""The email helpdesk against a real SMTP server on 127.0.0.1: a case becomes one email to the support inbox
(never to the customer), with a Message-ID made from the case so a resend is the same message; notes, solve,
reopen and retitle reply in its thread; nothing from an order can inject a header."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.helpdesks.email import EmailInboxHelpdesk
from connectors.mail import Mailer, SmtpConfig
from core.errors import Permanent, Transient, Unauthorized
from core.ports import TicketDraft
from tests.smtp import Inbox, free_port, running_smtpd

INBOX = "support@teashop.example"
TICKET = "<forewarn-case-7@forewarn>"
DRAFT = TicketDraft(
    external_id="forewarn-case-7", subject="Parcel damaged — order #1001",
    body="Order #1001: 1× Sencha\nParcel 1Z999 (UPS): damaged\n\nSuggested reply (en):\nSorry, Jon…",
    requester_name="Jon Snow", requester_email="jon@example.com", order_name="#1001",
    tags=("forewarn", "forewarn_damaged"), priority="urgent",
)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def desk(inbox: Inbox) -> Iterator[EmailInboxHelpdesk]:
    with running_smtpd(inbox) as port:
        config = SmtpConfig.from_url(f"smtp://127.0.0.1:{port}", sender="alerts@forewarn.example")
        yield EmailInboxHelpdesk(INBOX, Mailer(config))


def test_a_case_becomes_one_email_to_the_inbox_only(desk: EmailInboxHelpdesk, inbox: Inbox) -> None:
    assert desk.create_ticket(DRAFT) == TICKET
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == [INBOX] and envelope.mail_from == "alerts@forewarn.example"  # not the customer
    [sent] = inbox.messages
    assert sent["From"] == "Forewarn <alerts@forewarn.example>" and sent["To"] == INBOX
    assert sent["Subject"] == "[URGENT] Parcel damaged — order #1001 [forewarn-case-7]"
    assert sent["Message-ID"] == TICKET and sent["X-Forewarn-Case"] == "forewarn-case-7"
    assert sent["Auto-Submitted"] == "auto-generated" and sent["X-Priority"] == "1 (Highest)"
    assert sent["Reply-To"] is None and sent["Cc"] is None and sent["In-Reply-To"] is None
    assert sent.get_content_type() == "text/plain"
    body = sent.get_content()
    assert "Customer: Jon Snow <jon@example.com>" in body and "Order: #1001" in body
    assert "Tags: forewarn, forewarn_damaged" in body and "Priority: urgent" in body
    assert DRAFT.body in body and "the customer did not receive this email" in body


def test_a_create_sent_again_after_a_crash_carries_the_same_message_id(desk: EmailInboxHelpdesk, inbox: Inbox) -> None:
    assert desk.create_ticket(DRAFT) == desk.create_ticket(DRAFT) == TICKET
    assert [m["Message-ID"] for m in inbox.messages] == [TICKET, TICKET]


def test_a_normal_case_has_no_priority_marks(desk: EmailInboxHelpdesk, inbox: Inbox) -> None:
    desk.create_ticket(TicketDraft(external_id="forewarn-case-8", subject="Parcel late", body="Late.",
                                   requester_name=None, requester_email=None, order_name="#1002", priority="normal"))
    [sent] = inbox.messages
    assert sent["Subject"] == "Parcel late [forewarn-case-8]" and sent["X-Priority"] is None
    assert "Customer: unknown" in sent.get_content() and "Tags: none" in sent.get_content()


def test_notes_solve_reopen_and_retitle_reply_in_the_thread(desk: EmailInboxHelpdesk, inbox: Inbox) -> None:
    desk.add_note(TICKET, "The carrier confirmed the damage.")
    desk.solve(TICKET, "The case was resolved in Forewarn.")
    desk.reopen(TICKET, "The problem is back.")
    desk.retitle(TICKET, "Parcel lost — order #1001", "high")
    note, solved, reopened, retitled = inbox.messages
    for reply in (note, solved, reopened, retitled):
        assert reply["In-Reply-To"] == TICKET and reply["References"] == TICKET
        assert reply["To"] == INBOX and reply["X-Forewarn-Case"] == "forewarn-case-7"
        assert reply["Auto-Submitted"] == "auto-generated" and reply["Message-ID"].endswith(".forewarn-case-7@forewarn>")
    assert len({r["Message-ID"] for r in (note, solved, reopened, retitled)} | {TICKET}) == 5
    assert note["Subject"] == "Re: [forewarn-case-7] Note" and "The carrier confirmed the damage." in note.get_content()
    assert solved["Subject"] == "Re: [forewarn-case-7] Solved" and solved.get_content().startswith("Status: solved")
    assert reopened["Subject"] == "Re: [forewarn-case-7] Reopened" and "The problem is back." in reopened.get_content()
    assert retitled["Subject"] == "Re: [forewarn-case-7] Now: [HIGH] Parcel lost — order #1001"
    assert "Priority: high" in retitled.get_content()


def test_an_inbox_cannot_be_searched_so_lookups_find_nothing(desk: EmailInboxHelpdesk, inbox: Inbox) -> None:
    desk.create_ticket(DRAFT)
    assert desk.find_by_external_id("forewarn-case-7") is None
    assert desk.find_open_ticket("jon@example.com", "#1001") is None
    assert len(inbox.envelopes) == 1


def test_check_proves_the_smtp_settings(desk: EmailInboxHelpdesk, inbox: Inbox) -> None:
    desk.check()
    assert inbox.envelopes == []
    unreachable = EmailInboxHelpdesk(INBOX, Mailer(SmtpConfig.from_url(f"smtp://127.0.0.1:{free_port()}")))
    with pytest.raises(Transient):
        unreachable.check()


def test_an_inbox_that_refuses_mail_fails_the_create_permanently() -> None:
    with running_smtpd(Inbox(rcpt_reply="550 5.1.1 User unknown")) as port:
        desk = EmailInboxHelpdesk(INBOX, Mailer(SmtpConfig.from_url(f"smtp://127.0.0.1:{port}")))
        with pytest.raises(Permanent, match="550 5.1.1 User unknown"):
            desk.create_ticket(DRAFT)


# -- header injection ---------------------------------------------------------------------------------------


def test_line_breaks_from_an_order_never_reach_a_header(desk: EmailInboxHelpdesk, inbox: Inbox) -> None:
    evil = "Late\r\nBcc: victim@evil.example\r\nX-Injected: 1"
    desk.create_ticket(TicketDraft(
        external_id="forewarn-case-9", subject=evil, body="Body.", requester_name="Jon\nBcc: a@evil.example",
        requester_email="jon@example.com\r\nCc: b@evil.example", order_name="#1001\u2028Bcc: c@evil.example",
        tags=("forewarn\r\nBcc: d@evil.example",), priority="high"))
    desk.retitle("<forewarn-case-9@forewarn>", "New\nBcc: e@evil.example", "urgent")
    created, retitled = inbox.messages
    assert [e.rcpt_tos for e in inbox.envelopes] == [[INBOX], [INBOX]]
    for sent in (created, retitled):
        assert sent["Bcc"] is None and sent["Cc"] is None and sent["X-Injected"] is None
    assert created["Subject"] == "[HIGH] Late Bcc: victim@evil.example X-Injected: 1 [forewarn-case-9]"
    assert retitled["Subject"] == "Re: [forewarn-case-9] Now: [URGENT] New Bcc: e@evil.example"
    assert "Customer: Jon Bcc: a@evil.example <jon@example.com Cc: b@evil.example>" in created.get_content()
    assert "Order: #1001 Bcc: c@evil.example" in created.get_content()


@pytest.mark.parametrize("ticket_id", ["35436", "<forewarn-case-7@elsewhere>", "<forewarn-case-7@forewarn>\r\nBcc: x@y.z",
                                       "<a b@forewarn>", ""])
def test_a_ticket_id_that_is_not_a_case_message_id_is_refused(desk: EmailInboxHelpdesk, inbox: Inbox, ticket_id: str) -> None:
    with pytest.raises(Permanent, match="not the Message-ID"):
        desk.add_note(ticket_id, "note")
    assert inbox.envelopes == []


@pytest.mark.parametrize("external_id", ["", "forewarn case 7", "case-7>\r\nBcc: x@y.z", "a@b", "..", "case<7>"])
def test_an_external_id_that_cannot_be_a_message_id_is_refused(desk: EmailInboxHelpdesk, inbox: Inbox,
                                                                 external_id: str) -> None:
    draft = TicketDraft(external_id=external_id, subject="s", body="b", requester_name=None, requester_email=None,
                        order_name="#1")
    with pytest.raises(Permanent, match="cannot be part of a Message-ID"):
        desk.create_ticket(draft)
    assert inbox.envelopes == []


# -- credentials --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["", "   ", "support", "support@", "@teashop.example", "a@b@teashop.example",
                                     "support@teashop.example\r\nBcc: x@evil.example", "support@teashop.example\n",
                                     "Support <support@teashop.example>", "support@teashop.example, b@evil.example",
                                     "sup port@teashop.example", "support@[127.0.0.1]", "support@tea_shop.example"])
def test_an_invalid_inbox_is_refused_with_a_sentence_the_merchant_can_act_on(address: str) -> None:
    with pytest.raises(Unauthorized, match="support inbox"):
        EmailInboxHelpdesk(address, Mailer(SmtpConfig.from_url("smtp://127.0.0.1:2525")))


def test_the_inbox_is_taken_without_surrounding_spaces() -> None:
    desk = EmailInboxHelpdesk("  support+orders@teashop.example ", Mailer(SmtpConfig.from_url("smtp://127.0.0.1:2525")))
    assert desk.inbox == "support+orders@teashop.example" and desk.name == "email"
