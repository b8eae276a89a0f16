"""ARPAbet phones grouped into visemes: the mouth shapes a viewer can tell apart.

A small table after the usual lip-reading groupings (bilabials, labiodentals,
rounded, open vowels ...). The lips engine uses it to check what the new mouth
must show (lips closed at p/b/m, open at open vowels) and, for speech with no
recorded mouth of its own, to pick mouth frames by shape.
"""

from __future__ import annotations

BILABIAL = "bilabial"  # lips pressed together
LABIODENTAL = "labiodental"  # lower lip under the upper teeth
ROUNDED = "rounded"  # protruded, small opening
OPEN = "open"  # jaw down, wide opening
MID = "mid"  # half open vowels
SPREAD = "spread"  # lips spread, teeth close
DENTAL = "dental"  # tongue between the teeth
ALVEOLAR = "alveolar"  # tongue behind the teeth, mouth slightly open
POSTALVEOLAR = "postalveolar"  # sh / ch: lips slightly rounded and forward
VELAR = "velar"  # k / g / ng: mouth shape follows the vowels around
SILENCE = "silence"  # mouth at rest

_TABLE = {
    BILABIAL: ("P", "B", "M"),
    LABIODENTAL: ("F", "V"),
    ROUNDED: ("UW", "UH", "OW", "W", "OY"),
    OPEN: ("AA", "AE", "AH", "AO", "AW", "AY"),
    MID: ("EH", "ER", "EY", "R"),
    SPREAD: ("IY", "IH", "Y"),
    DENTAL: ("TH", "DH"),
    ALVEOLAR: ("T", "D", "N", "L", "S", "Z"),
    POSTALVEOLAR: ("SH", "ZH", "CH", "JH"),
    VELAR: ("K", "G", "NG", "HH"),
    SILENCE: ("SIL", "SP", "+NSN+", "+SPN+", "<SIL>"),
}
VISEME_OF = {p: v for v, phones in _TABLE.items() for p in phones}
VISEMES = tuple(_TABLE)


def phone_base(label: str) -> str:
    """'AE1' -> 'AE', 'b' -> 'B' (stress digits and case dropped)."""
    return label.strip().upper().rstrip("012")


def viseme(label: str) -> str:
    """The viseme of an ARPAbet phone; unknown labels count as velar (shape set by the neighbours)."""
    return VISEME_OF.get(phone_base(label), VELAR)


def is_bilabial(label: str) -> bool:
    return viseme(label) == BILABIAL


def is_open_vowel(label: str) -> bool:
    return viseme(label) == OPEN
