"""Small-count suppression (docs/design.md, Programme dashboard): the one function every
output of a breakdown of people goes through (page, CSV, XLSX, JSON).

Primary: a count from 1 to 4 is hidden, shown "< 5" (null in JSON).
Secondary: the breakdown's total is public (it is the number of recruits of the
scope, which the starts per semester add up to), so the hidden cells' sum is known.
A reader who knows it, and that a "< 5" cell lies in 0–4 (a "secret" cell may be
anything), must still be unable to pin any hidden cell to one value. While one can be
pinned, one more cell is hidden: a zero first (shown "< 5", which is true of 0),
otherwise the smallest count (shown "secret"). Should every cell be hidden and one
still be pinned (all of them 4, say), every mark becomes "secret".
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
SMALL = "< 5"
SECRET = "secret"  # noqa: S105 (a mark, not a password)


@dataclass(frozen=True)
class Count:
    """One cell of a breakdown as it may be published."""

    value: int | None  # None when hidden
    shown: str  # what a page or a spreadsheet prints: the number, "< 5" or "secret"

    @property
    def hidden(self) -> bool:
        return self.value is None


def bounds(shown: str) -> tuple[int, float]:
    """What a reader knows of a hidden cell from its mark."""
    return (0, THRESHOLD - 1) if shown == SMALL else (0, float("inf"))


def pinned_cells(hidden_marks: list[str], hidden_total: int) -> list[int]:
    """Indexes of the hidden cells whose value follows from the marks and their sum."""
    lows = [bounds(mark)[0] for mark in hidden_marks]
    highs = [bounds(mark)[1] for mark in hidden_marks]
    pinned = []
    for index in range(len(hidden_marks)):
        others_low = sum(lows) - lows[index]
        others_high = sum(highs) - highs[index]
        low = max(lows[index], hidden_total - others_high)
        high = min(highs[index], hidden_total - others_low)
        if low >= high:
            pinned.append(index)
    return pinned


def suppress(counts: dict[str, int]) -> dict[str, Count]:
    """The publishable form of a breakdown `{category: count}` (order kept)."""
    hidden = {code for code, value in counts.items() if 0 < value < THRESHOLD}

    all_secret = False

    def mark(code: str) -> str:
        return SMALL if counts[code] < THRESHOLD and not all_secret else SECRET

    while hidden:
        codes = [code for code in counts if code in hidden]
        total = sum(counts[code] for code in codes)
        if not pinned_cells([mark(code) for code in codes], total):
            break
        candidates = [code for code in counts if code not in hidden]
        if not candidates:
            all_secret = True
            break
        zeros = [code for code in candidates if counts[code] == 0]
        hidden.add(zeros[0] if zeros else min(candidates, key=lambda code: counts[code]))
    return {
        code: Count(None, mark(code)) if code in hidden else Count(value, str(value))
        for code, value in counts.items()
    }
