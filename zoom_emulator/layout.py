"""The one HTML frame every emulator page shares: plain markup, a little inline CSS."""

from __future__ import annotations

from html import escape

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1f2328; }
header { background: #0b5cff; color: #fff; padding: .8rem 1.5rem; font-weight: 600; }
header a { color: #fff; text-decoration: none; }
main { max-width: 52rem; margin: 1.5rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
       box-shadow: 0 1px 3px rgba(0,0,0,.08); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #e3e5e8; vertical-align: top; }
button { background: #0b5cff; color: #fff; border: 0; border-radius: 6px; padding: .45rem 1rem;
         cursor: pointer; }
button.secondary { background: #e3e5e8; color: #1f2328; }
button.danger { background: #d93025; }
label.user { display: block; padding: .5rem; border: 1px solid #e3e5e8; border-radius: 6px; margin: .3rem 0; }
.muted { color: #6b7280; font-size: .9rem; }
.error { color: #d93025; }
.notice { background: #e8f0fe; padding: .8rem 1rem; border-radius: 6px; }
"""


def page(title: str, body: str, home_url: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} · Zoom emulator</title><style>{STYLE}</style></head>"
        f"<body><header><a href='{escape(home_url)}'>Zoom emulator</a></header>"
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def post_button(action: str, label: str, css_class: str = "", test_id: str = "") -> str:
    attributes = f" class='{css_class}'" if css_class else ""
    if test_id:
        attributes += f" data-testid='{escape(test_id)}'"
    return (
        f"<form method='post' action='{escape(action)}' style='display:inline'>"
        f"<button type='submit'{attributes}>{escape(label)}</button></form>"
    )
