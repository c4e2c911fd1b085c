"""QR codes drawn as SVG, with segno: small, self-contained, readable by screen readers.

One drawing for every QR code the node shows: a merchant's payment code (the wallet, the shop,
`comptoir qr encode --svg`) and a credential offer. The SVG is one path on a white square (a
dark-mode page must not eat the quiet zone), with no font, script, style sheet or external
reference, so it fits the 50 KB page budget many times over and can be inlined into HTML or
saved as a file.
"""

from __future__ import annotations

import io
from typing import Literal

__all__ = ["render_svg"]


def render_svg(
    payload: str,
    *,
    scale: int = 4,
    border: int = 4,
    title: str | None = None,
    error: Literal["l", "m"] = "m",
) -> str:
    """The QR code of `payload` as an SVG document (no XML declaration, so it inlines in HTML).

    `scale` is the size of one module in pixels, `border` the quiet zone in modules (the QR
    specification asks for 4). Error correction is level M by default (15% of the symbol may
    be damaged: a sticker on a counter), L for a long link read off a screen; segno may not
    raise it on its own, so the symbol's size follows from the payload alone. `title`, if
    given ("Pay Chez Marie"), becomes the image's accessible name.
    """
    import segno

    if not isinstance(payload, str) or not payload:
        raise ValueError("The QR payload must be a non-empty string.")
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"The scale must be a whole number of pixels, at least 1, not {scale!r}.")
    if isinstance(border, bool) or not isinstance(border, int) or border < 0:
        raise ValueError(
            f"The border must be a whole number of modules, 0 or more, not {border!r}."
        )
    code = segno.make(payload, error=error, boost_error=False, micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=scale,
        border=border,
        dark="#000",
        light="#fff",
        title=title,
        xmldecl=False,
        svgclass="comptoir-qr",
        lineclass=None,
        nl=False,
    )
    svg = out.getvalue().decode("utf-8")
    if title:
        # role="img" makes assistive technology read the <title> as the image's name.
        svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return svg
