"""Participant roles from verbs: host, guest, speaker, participant."""

from datetime import date

import pytest

from orchestration.extract import ReleaseInput, extract_release
from orchestration.extract.roles import role_of


def _role(text: str, name: str) -> str:
    start = text.index(name)
    return role_of(text, start, start + len(name))


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Mr Mark Rutte will host the President, Mr Alexander Stubb.", "Mark Rutte", "host"),
        ("Mr Mark Rutte will host the President, Mr Alexander Stubb.", "Alexander Stubb", "guest"),
        ("King Willem-Alexander of the Netherlands hosted a dinner.", "Willem-Alexander", "host"),
        ("Ms Ana Ruiz welcomed Mr Jan Novak to Madrid.", "Ana Ruiz", "host"),
        ("Ms Ana Ruiz welcomed Mr Jan Novak to Madrid.", "Jan Novak", "guest"),
        ("Admiral Piet Smit was received by General Anne Roy.", "Piet Smit", "guest"),
        ("Admiral Piet Smit was received by General Anne Roy.", "Anne Roy", "host"),
        ("Mr Olaf Berg met with the Prime Minister, Ms Eva Lund.", "Eva Lund", "guest"),
        ("Mr Olaf Berg met with the Prime Minister, Ms Eva Lund.", "Olaf Berg", "participant"),
        ("Minister Hakan Fidan was thanked for hosting.", "Hakan Fidan", "participant"),
        ("Rutte thanked Minister Fidan for hosting the meeting.", "Fidan", "host"),
        ("Preparations for Mr Ivo Kask's visit to Riga.", "Ivo Kask", "guest"),
        ("Visit to NATO by His Majesty King Abdullah II", "King Abdullah II", "guest"),
        ("Remarks by the NATO Secretary General", "NATO Secretary General", "speaker"),
        (
            "Press conference by the NATO Secretary General and the President",
            "the President",
            "speaker",
        ),
        ("The President of Finland, Mr Ari Aho, addressed the Council.", "Ari Aho", "speaker"),
        ("Mr Ari Aho will deliver a speech in Oslo.", "Ari Aho", "speaker"),
        ("Ms Lea Roth took part in a panel with Mr Ben Ott.", "Ben Ott", "participant"),
    ],
)
def test_role_from_verbs(text: str, name: str, role: str) -> None:
    assert _role(text, name) == role


def test_roles_reach_the_participant_rows():
    # Regression: roles came from the participant's position in the list (first = host), so
    # the guest who is named first in "X was welcomed by Y" came out as the host.
    body = (
        "On Thursday, 17 July 2025, the President of Finland, Mr Alexander Stubb, was "
        "welcomed to NATO Headquarters by the NATO Secretary General, Mr Mark Rutte, for a "
        "meeting."
    )
    result = extract_release(ReleaseInput("nato:r", "T", body, date(2025, 7, 15), "NATO"))
    roles = {p.full_name: p.role for p in result.participants}
    assert roles == {"Alexander Stubb": "guest", "Mark Rutte": "host"}
