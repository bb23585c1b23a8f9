"""Starting a case from a referral, and telling a waiting case what happened (a message)."""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, undefer

from engine.bundle import MessageEvent
from engine.expressions import unwrap
from engine.instance import Instance

from .. import audit, bundles, dpa, subjects
from .. import referral as referrals
from ..errors import Conflict, Forbidden, InvalidAnswers, NotFound
from ..models import Case, Certificate, ReceivedMessage
from ..permissions import Actor
from ..restored import WORKFLOWS

CHANNELS = ("web", "api", "email", "system")


class AlreadyReceived(Conflict):
    """The message (an email's Message-ID, an API call's Idempotency-Key) was taken in before:
    ``case`` is the case it made."""

    def __init__(self, case: Case):
        super().__init__(f"this referral was taken in before, as case {case.reference}")
        self.case = case


class CaseActions:
    # -- reading ------------------------------------------------------------------------
    def case(self, reference: str, for_update: bool = False, *, for_step: bool = False) -> Case:
        """The case; ``for_update`` locks its row for this transaction (on PostgreSQL), so two
        steps on one case run one after the other and the second sees what the first did.
        ``for_step`` (locks too): with its instance state and process version, which a step
        restores, in the same query."""
        query = select(Case).where(Case.reference == reference)
        if for_step:
            for_update = True
            query = query.options(undefer(Case.instance_state), joinedload(Case.process_version, innerjoin=True))
        if for_update:
            # FOR NO KEY UPDATE: rows that merely refer to the case (audit, access log) can still
            # be written by others; every step takes this lock first, so locks come in one order
            query = query.with_for_update(key_share=True, of=Case).execution_options(populate_existing=True)
        case = self.session.scalars(query).first()
        if case is None:
            raise NotFound(f"there is no case {reference}")
        return case

    def instance(self, case: Case):
        bundle = bundles.for_version(case.process_version)
        state = case.instance_state
        workflow = WORKFLOWS.take(case.id, bundle, state)
        if workflow is not None:
            return Instance(bundle, workflow, self.engine.clock, restored_from=state)
        return self.engine.restore(bundle, state)

    def put_back(self, case: Case, instance) -> None:
        """A workflow only read (a page, who may record an event) is kept again for the next
        step, which then need not restore it (casework/restored.py)."""
        if instance.restored_from is not None:
            WORKFLOWS.keep(case.id, instance.bundle, instance.restored_from, instance.workflow)

    def received_case(self, message_key: str) -> Case | None:
        """The case a message key made, if it was taken in before."""
        row = self.session.scalars(select(ReceivedMessage).where(ReceivedMessage.message_id == message_key)).first()
        return row.case if row is not None and row.status in ReceivedMessage.TAKEN_IN else None

    # -- starting a case ------------------------------------------------------------------
    def submit_referral(
        self,
        referral: dict,
        actor: Actor,
        certificate: dict | None = None,
        *,
        channel: str = "web",
        message_key: str | None = None,
        message: dict | None = None,
    ) -> Case:
        """Record an ACRO referral (INT-1) and start its process.

        The referral (and certificate) are validated by the one referral schema, whichever
        channel they came by. With ``message_key`` (an email's Message-ID, an API call's
        Idempotency-Key) the referral is taken in once: a second call raises AlreadyReceived
        with the first call's case. ``message`` holds what the channel knows of the message
        (sender, subject, source path, sha256), kept on its received-message record.
        """
        if channel not in CHANNELS:
            raise ValueError(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
        referral, certificate = self.check_referral(referral, certificate)
        with self.uow:
            if message_key is not None and (seen := self.received_case(message_key)) is not None:
                raise AlreadyReceived(seen)
            version, bundle = bundles.current(self.session, self.settings.processes_dir)
            now = self.clock.now()
            referral.setdefault("received_at", now.isoformat())
            case = Case(
                reference=f"PENDING-{now.timestamp()}",
                referral=referral,
                state="open",
                process_version=version,
                instance_state={},
                created_at=now,
                updated_at=now,
                **subjects.search_fields(referral),
            )
            self.session.add(case)
            try:
                self.session.flush()
                if message_key is not None:
                    self._record_message(message_key, channel, case, actor, message or {})
            except IntegrityError:
                # the same message key, taken in at this moment by another request or intake
                self.uow.rollback()
                if message_key is not None and (seen := self.received_case(message_key)) is not None:
                    raise AlreadyReceived(seen) from None
                raise Conflict("this referral is being taken in by another request; try again shortly") from None
            case.reference = f"ACRO-{now.year}-{case.id:06d}"
            if certificate:
                self._file_certificate(case, certificate)
            audit.record(
                self.session,
                case,
                actor,
                "referral received",
                now=now,
                details={"channel": channel, "fields_present": sorted(k for k, v in referral.items() if v)},
            )
            dpa.log(
                self.session,
                case,
                actor.username,
                "collect",
                "ACRO referral for consideration of deportation (INT-2)",
                now,
            )
            instance = self.engine.start(bundle, {"case_reference": case.reference})
            self.steps.advance(case, instance, actor)
            self.uow.commit()
        return case

    def check_referral(self, referral: dict, certificate: dict | None = None) -> tuple[dict, dict | None]:
        """The referral and certificate as the one schema takes them, or InvalidAnswers with
        every message of both, by dotted path (``subject.date_of_birth``, ``certificate.file``)."""
        messages = {}
        try:
            referral = referrals.load(referral)
        except ValidationError as exc:
            messages.update(referrals.messages_by_path(exc.messages))
        try:
            certificate = self._validated_certificate(certificate)
        except InvalidAnswers as exc:
            messages.update(exc.messages)
        if messages:
            raise InvalidAnswers(messages)
        return referral, certificate

    @staticmethod
    def _validated_certificate(certificate: dict | None) -> dict | None:
        if not certificate:
            return None
        try:
            return referrals.load_certificate(certificate)
        except ValidationError as exc:
            raise InvalidAnswers(referrals.messages_by_path(exc.messages, "certificate")) from None

    def _record_message(self, key: str, channel: str, case: Case, actor: Actor, message: dict) -> None:
        now = self.clock.now()
        row = self.session.scalars(select(ReceivedMessage).where(ReceivedMessage.message_id == key)).first()
        if row is None:
            row = ReceivedMessage(message_id=key, channel=channel, received_at=now, attempts=0)
            self.session.add(row)
        row.status, row.reason, row.case_id = "accepted", None, case.id
        row.sender = message.get("sender") or actor.username
        for attr in ("subject", "source_path", "stored_path", "sha256"):
            if attr in message:
                setattr(row, attr, message[attr])
        row.attempts += 1
        row.updated_at = now
        self.session.flush()

    def _file_certificate(self, case: Case, certificate: dict) -> None:
        self.session.add(
            Certificate(
                case_id=case.id,
                request_purpose=certificate.get("request_purpose"),
                content=certificate.get("content"),
                file=certificate.get("file"),
                filename=certificate.get("filename"),
                status="held",
                received_at=self.clock.now(),
            )
        )

    # -- the outside world ----------------------------------------------------------------
    def message_events(self, case: Case) -> dict[str, MessageEvent]:
        """The messages the case's process can wait for, as its diagrams describe them."""
        return bundles.for_version(case.process_version).message_events

    def event_groups(self, case: Case, event: MessageEvent, instance=None) -> tuple[str, ...]:
        """The groups that may record ``event`` on this case: a group the process decides
        (``${cc_team_group}``) needs the case's workflow, restored only then."""
        if all(unwrap(group) == group for group in event.groups):
            return event.groups
        return (instance or self.instance(case)).message_groups(event.name, event.groups)

    def events_to_record(self, case: Case, actor: Actor, waiting: list[str], instance=None) -> list[MessageEvent]:
        """Of the messages the case waits for, those this person may record."""
        events = self.message_events(case)
        restored = None
        if instance is None and any(unwrap(g) != g for name in waiting if name in events for g in events[name].groups):
            instance = restored = self.instance(case)
        allowed = [
            events[name]
            for name in waiting
            if name in events and self.policy.may_record_event(actor, self.event_groups(case, events[name], instance))
        ]
        if restored is not None:
            self.put_back(case, restored)
        return allowed

    def deliver_message(self, reference: str, name: str, payload: dict | None, actor: Actor) -> Case:
        """A message for a waiting case (a certificate received, the FNO located, ...): who may
        record it and whether a certificate comes with it are the catch event's to say."""
        payload = dict(payload or {})
        certificate = self._validated_certificate(payload.pop("certificate", None))
        with self.uow:
            case = self.case(reference, for_step=True)
            event = self.message_events(case).get(name)
            if event is None:
                raise InvalidAnswers({"message": [f"{name!r} is not an event this case's process knows"]})
            instance = self.instance(case)
            if not self.policy.may_record_event(actor, self.event_groups(case, event, instance)):
                raise Forbidden(f"{actor.username} is not in a group that records {event.label!r}")
            if certificate and not event.carries_certificate:
                raise InvalidAnswers({"certificate": [f"A certificate does not come with {event.label!r}"]})
            if event.carries_certificate and not certificate:
                raise InvalidAnswers({"certificate": [f"{event.label!r} needs the certificate that came"]})
            waiting = instance.waiting_messages()
            if name not in waiting:
                raise Conflict(
                    f"case {reference} is not waiting for {name!r}"
                    + (f"; it waits for {', '.join(waiting)}" if waiting else "; it waits for no message")
                )
            if certificate:
                # certificate content lives with the case record, never in process variables
                self._file_certificate(case, certificate)
            audit.record(
                self.session,
                case,
                actor,
                "message received",
                details={"message": name, "payload": payload},
                now=self.clock.now(),
            )
            self.steps.advance(case, instance, actor, lambda: instance.send_message(name, payload))
            self.uow.commit()
        return case
