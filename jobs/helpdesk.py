"""Keeping a case's ticket in the merchant's helpdesk: created once, notes added as the case changes, solved
when the case resolves. The intent is recorded before each call and reconciled on retry (the ticket is
looked up by its external id first), so a crash between the call and the commit never makes two tickets."""
from __future__ import annotations

import json
import logging
import uuid


from connectors import helpdesks
from core.domain.model import CaseStatus, CaseTicket, HelpdeskAccount
from core.errors import Permanent, RateLimited, Transient, Unauthorized
from core.ports import TicketDraft
from jobs import runtime

log = logging.getLogger(__name__)


def ticket_body(uow, case, order, shipments, notes) -> str:  # type: ignore[no-untyped-def]
    from core.services.views import case_view

    shop = uow.repo.shop_by_id(case.shop_id)
    view = case_view(case, order, shipments, notes, replies=shop.replies if shop else None)  # the shop's wording
    items = ", ".join(f"{li.quantity}× {li.title}" for li in (order.line_items if order else []))
    lines = [case.subject, "", f"Order {order.name if order else ''}: {items}"]
    for s in shipments:
        if s.tracking_number and not s.superseded:
            lines.append(f"Parcel {s.tracking_number} ({s.carrier_raw or s.carrier}): {s.status}")
            for e in uow.repo.tracking_events(s.id)[-5:]:
                lines.append(f"  {e.occurred_at:%a %d %b %H:%M} UTC  {e.description}{', ' + e.location if e.location else ''}")
    lines += ["", "Why Forewarn opened this case:"] + [f"- {n.body}" for n in notes]
    lines += ["", f"Suggested reply ({view['suggested_reply']['language']}):", view["suggested_reply"]["text"]]
    return "\n".join(lines)


def sync_case(case_id: int) -> str:
    """One worker at a time per case: two concurrent syncs could both miss the other's new ticket. A sync
    that finds the case busy fails as Transient and RQ retries it with backoff."""
    redis, key, token = runtime.current().redis, f"forewarn:ticket-lock:{case_id}", uuid.uuid4().hex
    # SET NX with an expiry (not redis-py's Lock: its Lua scripts need a Lua-enabled Redis, and the demo's
    # in-process Redis has none); the expiry frees the case if a worker dies holding it.
    if not redis.set(key, token, nx=True, ex=300):
        raise Transient(f"case {case_id}'s ticket is being synced by another worker")
    try:
        return _sync_case(case_id)
    finally:
        if redis.get(key) == token.encode():
            redis.delete(key)


def _sync_case(case_id: int) -> str:
    rt = runtime.current()
    with rt.uow() as uow:
        case = uow.repo.case(case_id)
        if case is None:
            return "missing"
        account = uow.repo.helpdesk_account(case.shop_id)
        if account is None or account.status != "active":
            return "no helpdesk"
        ticket = uow.repo.case_ticket(case_id)
        if ticket is None:  # the intent, committed before the helpdesk hears anything
            ticket = CaseTicket(case_id=case_id, helpdesk=account.kind, external_id=f"forewarn-case-{case_id}",
                                created_at=runtime.utcnow())
            uow.repo.add(ticket)
        ticket.attempts += 1
        uow.commit()
        order = uow.repo.order_by_id(case.order_id)
        shipments = list(uow.repo.shipments_of_order(case.order_id))
        notes = list(uow.repo.case_notes(case_id))
        draft = TicketDraft(
            external_id=ticket.external_id, subject=case.subject, body=ticket_body(uow, case, order, shipments, notes),
            requester_name=order.customer_name if order else None, requester_email=order.email if order else None,
            order_name=order.name if order else "", tags=("forewarn", f"forewarn_{case.problem}"), priority=case.priority,
        )
        ciphertext = account.credentials_ciphertext
        credentials = json.loads(rt.cipher.decrypt(ciphertext))
        kind, account_id, resolved = account.kind, account.id, case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        ticket_id, last_note_id, solved = ticket.ticket_id, ticket.last_note_id, ticket.solved_at is not None
        had_error = ticket.error is not None
        retitle = not ticket.attached and (ticket.subject, ticket.priority) != (case.subject, case.priority)
        all_notes = [(n.id, n.body) for n in notes]

    def save(**changes: object) -> None:
        with rt.uow() as uow:
            row = uow.repo.case_ticket(case_id)
            for key, value in changes.items():
                setattr(row, key, value)
            uow.commit()

    try:
        desk = helpdesks.build(kind, credentials, rt.http, rt.settings.helpdesk_simulator_url,
                               rt.settings.smtp_url, rt.settings.allow_private_network)
        if ticket_id is None:
            # a create that reached the helpdesk before a crash: its body held the notes up to last_note_id
            # and the subject and priority it was given, all recorded before that call
            ticket_id, attached = desk.find_by_external_id(draft.external_id), False
            if ticket_id is not None:
                desk.complete(ticket_id, draft)  # the create's own later calls may not have run
            if ticket_id is None:
                if draft.requester_email:
                    ticket_id = desk.find_open_ticket(draft.requester_email, draft.order_name)
                    attached = ticket_id is not None
                last_note_id, retitle = max((i for i, _ in all_notes), default=0), False
                save(last_note_id=last_note_id, subject=None if attached else draft.subject,
                     priority=None if attached else draft.priority)
                if attached:
                    desk.add_note(ticket_id, draft.body)
                else:
                    ticket_id = desk.create_ticket(draft)
            save(ticket_id=ticket_id, attached=attached, error=None)
        for note_id, body in all_notes:
            if note_id > last_note_id:
                desk.add_note(ticket_id, body)
                save(last_note_id=note_id)
        if retitle:  # a worse problem took the case over (never on the customer's own ticket)
            desk.retitle(ticket_id, draft.subject, draft.priority)
            save(subject=draft.subject, priority=draft.priority)
        if resolved and not solved:
            desk.solve(ticket_id, "The case was resolved in Forewarn; the notes above say how.")
            save(solved_at=runtime.utcnow())
        elif solved and not resolved:  # the problem came back
            desk.reopen(ticket_id, "The problem is back: the case was reopened in Forewarn.")
            save(solved_at=None)
        if had_error:
            save(error=None)
    except Unauthorized as exc:
        with rt.uow() as uow:
            account = uow.session.get(HelpdeskAccount, account_id)
            disabled = account is not None and account.credentials_ciphertext == ciphertext  # not if reconnected meanwhile
            if disabled:
                account.status, account.error = "disabled", f"{exc} — reconnect the helpdesk; cases stay in Forewarn"
                uow.commit()
        save(error=str(exc))
        return "disabled" if disabled else "refused"
    except Permanent as exc:
        save(error=str(exc))
        return "failed"
    except (Transient, RateLimited) as exc:  # shown in the admin while RQ retries with backoff
        save(error=f"{exc} — retrying")
        raise
    return "synced"


