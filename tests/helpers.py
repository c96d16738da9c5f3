"""Constants and small helpers the whole suite shares."""

# What htmx sends with every request it makes.
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}

# Text a hostile reader or curator might store, each trying to run, load or submit something.
HOSTILE_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<div hx-get="/account/delete/" hx-trigger="load">boom</div>',
    '<a href="javascript:alert(1)">x</a>',
    "[click me](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "![x](https://evil.example/pixel.png)",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "{{ 'INJECTED'|lower }}{% csrf_token %}",
    "</textarea><script>alert(1)</script>",
    '<iframe src="https://evil.example/"></iframe>',
    '<form action="/accounts/logout/" method="post"><button>x</button></form>',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0">',
    '<input autofocus onfocus="alert(1)"><style>*{display:none}</style>',
]
