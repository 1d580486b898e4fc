"""QR codes as SVG, drawn on the server: the invite link's and the EPC payment codes."""

import io

import segno


def svg(text, *, title, scale=4):
    """A standalone SVG document (with its namespace), so browsers render it from an <img>
    and inline alike."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=scale, dark="#1c2430", xmldecl=False, title=title
    )
    return out.getvalue().decode()
