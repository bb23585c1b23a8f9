"""The API's marshmallow schemas: what each endpoint takes and gives. The OpenAPI document
is generated from these, so they are the contract."""

from __future__ import annotations

import base64
import binascii
import json

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casework.referral import DEFAULT_MAX_ATTACHMENT_BYTES, LIMITS, CertificateSchema, ReferralSchema, is_pdf

from .core import PageQuery

MAX_PAYLOAD_CHARS = 20000


def _text(limit: str | int, **kwargs):
    size = LIMITS[limit] if isinstance(limit, str) else limit
    return fields.String(allow_none=True, validate=validate.Length(max=size), **kwargs)


class Base64Pdf(fields.String):
    """A PDF file, base64-encoded."""

    default_error_messages = {
        "base64": "The certificate file must be base64-encoded",
        "pdf": "The certificate file must be a PDF",
        "size": f"The certificate file must be smaller than {DEFAULT_MAX_ATTACHMENT_BYTES // (1024 * 1024)}MB",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > (DEFAULT_MAX_ATTACHMENT_BYTES * 4) // 3 + 8:
            raise self.make_error("size")
        try:
            content = base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeError):
            raise self.make_error("base64") from None
        if not is_pdf(content):
            raise self.make_error("pdf")
        return content


# -- referrals: the one referral schema, whichever channel (casework/referral.py) ------------
class CertificateInSchema(CertificateSchema):
    """The certificate as the API takes it: the one certificate schema, with the PDF in base64."""

    file = Base64Pdf(
        allow_none=True,
        load_default=None,
        metadata={"format": "byte", "description": "The PDF, base64 (at most 10 MB)."},
    )


class CreateReferralSchema(Schema):
    referral = fields.Nested(ReferralSchema, required=True)
    certificate = fields.Nested(CertificateInSchema, allow_none=True, load_default=None)


# -- what the API gives back ----------------------------------------------------------------
def _out(**kwargs):
    return fields.String(allow_none=True, **kwargs)


class IdentityDocumentOut(Schema):
    type = _out()
    number = _out()
    issuing_country = _out()


class SubjectOut(Schema):
    family_name = _out()
    given_names = _out()
    aliases = fields.List(fields.String(), allow_none=True)
    date_of_birth = _out()
    nationality = _out()
    identity_documents = fields.List(fields.Nested(IdentityDocumentOut), allow_none=True)
    pnc_id = _out()


class ConvictionOut(Schema):
    country = _out()
    offence = _out()
    date = _out()
    sentence = _out()


class OfficerOut(Schema):
    name = _out()
    force = _out()
    email = _out()
    phone = _out()


class ReferralOut(Schema):
    subject = fields.Nested(SubjectOut, allow_none=True)
    convictions = fields.List(fields.Nested(ConvictionOut), allow_none=True)
    interpol_check_outcome = _out()
    officer = fields.Nested(OfficerOut, allow_none=True)
    request_reason = _out()
    last_known_address = _out()


class CaseSummarySchema(Schema):
    reference = fields.String(required=True)
    state = fields.String(required=True)
    stage = _out()
    outcome = _out()
    team = _out()
    case_owner = _out()
    subject_name = fields.String(required=True)
    date_of_birth = _out()
    nationality = _out()
    pnc_id = _out()
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class FormOptionSchema(Schema):
    id = fields.String(required=True)
    name = _out()


class FormFieldSchema(Schema):
    id = fields.String(required=True)
    label = _out()
    type = _out()
    default = fields.Raw(allow_none=True)
    properties = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), allow_none=True)
    validation = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), allow_none=True)
    options = fields.List(fields.Nested(FormOptionSchema), allow_none=True)
    asked_if = fields.String(
        allow_none=True,
        metadata={
            "description": "the condition (over the case's variables and this form's answers) under which "
            "the question is asked; null: always. An answer to a question not asked is refused."
        },
    )
    asked = fields.Boolean(
        allow_none=True,
        metadata={"description": "whether the question is asked for this case; null: it depends on other answers"},
    )


class FormSchema(Schema):
    fields_ = fields.List(fields.Nested(FormFieldSchema), data_key="fields", attribute="fields")


class TaskSchema(Schema):
    id = fields.String(required=True)
    case_reference = fields.String(required=True)
    bpmn_id = fields.String(required=True, metadata={"description": "the task in the diagram"})
    name = fields.String(required=True)
    process = _out()
    group = _out()
    candidate_groups = fields.List(fields.String(), allow_none=True)
    assignee = _out()
    due_at = fields.DateTime(allow_none=True)
    priority = fields.Integer(allow_none=True)
    created_at = fields.DateTime(allow_none=True)


class TaskDetailSchema(TaskSchema):
    documentation = _out()
    form = fields.Nested(FormSchema, allow_none=True)


class ReferralResultSchema(CaseSummarySchema):
    tasks = fields.List(
        fields.Nested(TaskDetailSchema),
        required=True,
        metadata={
            "description": "the new case's ready tasks that the caller may open, each with its form: "
            "what complete takes, without asking for the task"
        },
    )


class CertificateInfoSchema(Schema):
    id = fields.String(required=True, metadata={"description": "its document id (certificate-N)"})
    status = fields.String(required=True, metadata={"description": "held or destroyed (WF-2)"})
    request_purpose = _out()
    filename = _out()
    received_at = fields.DateTime(allow_none=True)
    destroyed_at = fields.DateTime(allow_none=True)


class CaseDetailSchema(CaseSummarySchema):
    referral = fields.Nested(ReferralOut, allow_none=True)
    custody_status = fields.String(
        allow_none=True,
        metadata={"description": "where the FNO is held or not (DET-2); null once the case is concluded"},
    )
    marker_status = _out()
    detention_power = _out()
    paper_file_reference = _out()
    certificates = fields.List(fields.Nested(CertificateInfoSchema))
    tasks = fields.List(fields.Nested(TaskSchema))
    waiting_for = fields.List(fields.String(), metadata={"description": "messages the case waits for"})


class PageSchema(Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class CasePageSchema(PageSchema):
    items = fields.List(fields.Nested(CaseSummarySchema), required=True)


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSchema), required=True)


class StepResultSchema(Schema):
    case = fields.Nested(CaseSummarySchema, required=True)
    tasks = fields.List(
        fields.Nested(TaskSchema), required=True, metadata={"description": "the case's ready tasks after the step"}
    )


class DocumentSchema(Schema):
    id = fields.String(required=True, metadata={"description": "document-N (generated) or certificate-N"})
    kind = fields.String(required=True)
    title = fields.String(required=True)
    filename = _out()
    created_at = fields.DateTime(allow_none=True)
    status = fields.String(required=True)
    sha256 = _out()
    downloadable = fields.Boolean(required=True)


class DocumentListSchema(Schema):
    items = fields.List(fields.Nested(DocumentSchema), required=True)


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    task_bpmn_id = _out()
    task_name = _out()
    details = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), allow_none=True)


class AuditPageSchema(PageSchema):
    items = fields.List(fields.Nested(AuditEntrySchema), required=True)


# -- actions ------------------------------------------------------------------------------
class CompleteTaskSchema(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={"description": "the task's form fields by id (GET /tasks/{id} shows the form)"},
    )


class MessageSchema(Schema):
    message = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "a message the case waits for (its `waiting_for`): the names are the "
            "diagrams' message catch events"
        },
    )
    payload = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        metadata={
            "description": "details of the event, kept with the case's process "
            '(e.g. {"location": "Arrested in Salford"})'
        },
    )
    certificate = fields.Nested(
        CertificateInSchema,
        allow_none=True,
        load_default=None,
        metadata={"description": "the new certificate, with a message whose catch event carries one"},
    )

    @validates_schema
    def consistent(self, data, **kwargs):
        payload = data.get("payload") or {}
        if "certificate" in payload:
            raise ValidationError("Send the certificate as the top-level certificate field.", "payload")
        if len(json.dumps(payload, default=str)) > MAX_PAYLOAD_CHARS:
            raise ValidationError(f"The payload is larger than {MAX_PAYLOAD_CHARS} characters.", "payload")


# -- query parameters ---------------------------------------------------------------------
class CaseQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "search: case reference, PNC ID, or any name or alias"},
    )
    state = fields.String(validate=validate.OneOf(("open", "dormant", "closed")))
    team = fields.String(validate=validate.Length(max=100))
    case_owner = fields.String(validate=validate.Length(max=100))
    purpose = fields.String(
        validate=validate.Length(max=500),
        metadata={"description": "Why you list or search cases (FD-1), if not in X-Purpose."},
    )


class TaskQuery(PageQuery):
    group = fields.String(validate=validate.Length(max=100), metadata={"description": "a team's queue"})
    assignee = fields.String(validate=validate.Length(max=100), metadata={"description": "'me' for your own"})
    unassigned = fields.Boolean(load_default=False)
    case = fields.String(validate=validate.Length(max=40), metadata={"description": "a case reference"})
    task = fields.String(validate=validate.Length(max=100), metadata={"description": "a task id in the diagram"})
    overdue = fields.Boolean(load_default=False)
    sort = fields.String(load_default="due", validate=validate.OneOf(("due", "priority", "age")))


class AuditQuery(PageQuery):
    purpose = fields.String(validate=validate.Length(max=500))


class ReadQuery(Schema):
    purpose = fields.String(
        validate=validate.Length(max=500),
        metadata={"description": "Why you read this case (FD-1), if not in X-Purpose."},
    )
