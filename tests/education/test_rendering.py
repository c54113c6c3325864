import pytest

from education.rendering import reading_grade, render_markdown, sanitise_html

HOSTILE_INPUTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<iframe src="https://evil.example"></iframe>',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](  javascript:alert(1))",
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<p onclick="alert(1)" style="color:red">hi</p>',
    "<style>body{display:none}</style>",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name="q"></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<div class="care-card" onmouseover="alert(1)">x</div>',
    "![x](javascript:alert(1))",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<!-- <script>alert(1)</script> -->",
    '!!! urgent "<script>alert(1)</script>"\n    body <img src=x onerror=alert(1)>',
]

FORBIDDEN = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "<iframe",
    "javascript:",
    "data:text",
    "<svg",
    "<style",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<meta",
    "<base",
    "style=",
    "<img",
]


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS)
def test_hostile_markdown_never_reaches_the_page(hostile):
    html = render_markdown(f"Some text.\n\n{hostile}\n\nMore text.").html.lower()
    for forbidden in FORBIDDEN:
        assert forbidden not in html, f"{forbidden!r} survived in {html!r}"
    assert "some text." in html


def test_safe_markdown_keeps_its_meaning():
    rendered = render_markdown(
        "## How long does it take?\n\nAbout **40 minutes**. See [our page](https://example.org)."
        "\n\n| Way | Time |\n|---|---|\n| IV | 40 min |\n\n1. First\n2. Second\n"
    )
    assert '<h2 id="how-long-does-it-take">How long does it take?</h2>' in rendered.html
    assert "<strong>40 minutes</strong>" in rendered.html
    assert 'href="https://example.org"' in rendered.html
    assert "<table>" in rendered.html
    assert "<ol>" in rendered.html
    assert rendered.headings == [{"id": "how-long-does-it-take", "title": "How long does it take?"}]


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("info", "Information"),
        ("contact", "Contact the clinic"),
        ("urgent", "Urgent: get help now"),
    ],
)
def test_callouts_become_care_cards_with_their_level_spoken(kind, label):
    html = render_markdown(f'!!! {kind} "A title"\n    The card text.').html
    assert f'<div class="care-card care-card--{kind}">' in html
    assert f'<span class="visually-hidden">{label}: </span>A title' in html
    assert "<p>The card text.</p>" in html


def test_an_unknown_callout_kind_falls_back_to_information():
    html = render_markdown('!!! danger "Careful"\n    Text.').html
    assert 'class="care-card care-card--info"' in html


def test_class_attributes_outside_the_allow_list_are_dropped():
    html = sanitise_html('<div class="care-card evil-overlay">x</div><p class="lead">y</p>')
    assert '<div class="care-card">x</div>' in html
    assert "lead" not in html


def test_links_cannot_open_the_page_to_the_target_site():
    html = render_markdown("[source](https://example.org)").html
    assert 'rel="noopener noreferrer"' in html


def test_headings_with_the_same_text_get_distinct_anchors():
    rendered = render_markdown("## Driving\n\nA.\n\n## Driving\n\nB.")
    ids = [heading["id"] for heading in rendered.headings]
    assert len(set(ids)) == 2


def test_reading_grade_rises_with_long_sentences_and_long_words():
    plain = "We will check you. You can rest. Your nurse is here. Ask us any time."
    dense = (
        "Intravenous administration of subanesthetic ketamine necessitates comprehensive "
        "hemodynamic monitoring, considering documented transient cardiovascular alterations."
    )
    assert reading_grade(plain) < 6 < reading_grade(dense)
    assert reading_grade("") == 0


def test_a_table_scrolls_in_a_box_keyboards_can_focus_and_screen_readers_can_name():
    html = render_markdown("| Side effect | What we do |\n|---|---|\n| Nausea | Medicine |\n").html
    assert html.startswith(
        '<div aria-label="Table: Side effect, What we do" class="table-scroll" role="region" '
        'tabindex="0"><table>'
    )
    assert html.rstrip().endswith("</table></div>")


@pytest.mark.parametrize(
    "typed",
    [
        '<div role="button" tabindex="0">Click</div>',
        '<div role="region" tabindex="-1">Hidden from keyboards</div>',
        '<div tabindex="3">First in tab order</div>',
    ],
)
def test_staff_cannot_give_a_div_any_other_role_or_tab_order(typed):
    html = render_markdown(typed).html
    assert 'role="button"' not in html
    assert 'tabindex="-1"' not in html
    assert 'tabindex="3"' not in html
