"""Showing text from the data inside markdown without it turning into markup.

Dimension values, pattern descriptions and keys come from delivered files; Streamlit's markdown
(never with unsafe_allow_html here) would still render `[x](url)`, `**x**`, `:red[x]` or `$x$`
in them. Escaping every ASCII punctuation character with a backslash (CommonMark's rule) shows
them as typed.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: object) -> str:
    """`text` as literal characters inside st.markdown / st.caption / alerts."""
    return _PUNCTUATION.sub(r"\\\1", str(text))
