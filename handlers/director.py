"""The CC Director (SCS PB1), who decides when deportation is not to be pursued."""

from __future__ import annotations

from . import correspondence as mail
from .registry import registry

SUBMISSION = "Submission to the CC Director"

# LOC-8: the decision must record all three; a submission missing one is not a submission
CONSIDERED = [
    ("foreign_convictions_considered", "Foreign convictions considered"),
    ("uk_convictions", "UK convictions"),
    ("outstanding_law_enforcement", "Outstanding UK law-enforcement activity"),
    ("decision_reasons", "Why deportation is not appropriate"),
]


@registry.topic("director.submit")
def submit(data, *, case_store, mailer, documents, settings):
    """Send the CC Director a submission with the reasons deportation is not appropriate (NP-1),
    recording the foreign and UK convictions and outstanding law enforcement (LOC-8; FD-1)."""
    missing = [label for key, label in CONSIDERED if not data.get(key)]
    if missing:
        raise ValueError("the submission to the CC Director needs: " + ", ".join(missing) + " (LOC-8, NP-1)")
    submission = documents.create(
        SUBMISSION,
        SUBMISSION,
        [
            (
                "Purpose",
                "To ask the CC Director to decide whether deportation should not be pursued. "
                "The case owner recommends that it is not pursued.",
            ),
            ("Subject", mail.details_text(mail.identifiers(case_store))),
            ("Overseas convictions referred by ACRO", mail.convictions_text(case_store.referral())),
            *[(label, data[key]) for key, label in CONSIDERED],
            (
                "Decision requested",
                "Do you agree that deportation should not be pursued? Please record your "
                "decision and comments on the case.",
            ),
        ],
    )
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "cc_director"),
        greeting="Director",
        subject="Submission: deportation not to be pursued",
        request=(
            "The case owner recommends that deportation is not pursued in this case. The attached "
            "submission sets out the reasons. Please record your decision on the case:\n"
            f"{mail.case_link(settings, case_store.reference)}"
        ),
        attachments=[submission],
        kind=SUBMISSION,
    )
    case_store.add_note("Submission sent to the CC Director: deportation not to be pursued.")
